#!/usr/bin/env bash
# bench/api.sh measures what authentication costs the REST API. It runs the
# same wrk load against `keyward serve` (1,000 keys; the measured key has 20
# CIDR rules, the last of which allows loopback; the per-key rate limit on,
# set too high to trip) and against bench/bare, the same HTTP server
# (timeouts, header limit) with a handler that answers the same bytes with
# no authentication, in alternating rounds.
# It prints requests/s and p99 at the peak (closed loop), their ratio, and
# p99 at about half of keyward's peak rate (each connection pausing 1 ms
# between requests, with the connection count set to reach that rate).
#
# The servers run on CPU $SERVER_CPU and wrk on CPU $LOAD_CPU, so that the
# load generator does not compete with the server for a core.
#
# Usage: bench/api.sh     (environment: DURATION=10s CONNS=32 THREADS=2 ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
ROUNDS=${ROUNDS:-3}
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
KEYWARD_ADDR=127.0.0.1:18686
BARE_ADDR=127.0.0.1:18687

. bench/lib.sh
need wrk:wrk bc:bc curl:curl taskset:util-linux

echo "Building…"
go build -tags "$tags" -o "$tmp/keyward" .
go build -o "$tmp/seed" ./bench/seed
go build -o "$tmp/bare" ./bench/bare

echo "Seeding 1,000 keys…"
"$tmp/seed" -data "$tmp/data" -keys "$tmp/keys"
{ read -r account_key; read -r user_key; } <"$tmp/keys"
headers=(-H "x-api-key: $account_key" -H "x-api-secret-key: $user_key")


taskset -c "$SERVER_CPU" "$tmp/keyward" --data "$tmp/data" serve --listen "$KEYWARD_ADDR" --rate-limit 1000000000 >"$tmp/serve.log" 2>&1 &
pids+=($!)
wait_for "$KEYWARD_ADDR"
curl -s -f -o "$tmp/body.json" "${headers[@]}" "http://$KEYWARD_ADDR/v1/"
taskset -c "$SERVER_CPU" "$tmp/bare" -listen "$BARE_ADDR" -body "$tmp/body.json" &
pids+=($!)
wait_for "$BARE_ADDR"

# The paced load: every connection waits 1 ms after each answer.
echo 'function delay() return 1 end' >"$tmp/paced.lua"


echo "Warming up…"
taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNS" -d2s "${headers[@]}" "http://$KEYWARD_ADDR/v1/" >/dev/null
taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNS" -d2s "${headers[@]}" "http://$BARE_ADDR/v1/" >/dev/null

echo "Peak: wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds"
: >"$tmp/peak"
for round in $(seq "$ROUNDS"); do
	read -r bare_rps bare_p99 < <(run_wrk "http://$BARE_ADDR/v1/" "$CONNS")
	read -r kw_rps kw_p99 < <(run_wrk "http://$KEYWARD_ADDR/v1/" "$CONNS")
	ratio=$(echo "$kw_rps / $bare_rps" | bc -l)
	printf "  round %d: bare %6d req/s, p99 %6.3f ms   keyward %6d req/s, p99 %6.3f ms   ratio %.3f\n" \
		"$round" "$bare_rps" "$bare_p99" "$kw_rps" "$kw_p99" "$ratio"
	echo "$bare_rps $kw_rps $bare_p99 $kw_p99 $ratio" >>"$tmp/peak"
done
bare_rps=$(col 1 "$tmp/peak") kw_rps=$(col 2 "$tmp/peak")
bare_p99=$(col 3 "$tmp/peak") kw_p99=$(col 4 "$tmp/peak") ratio=$(col 5 "$tmp/peak")

# Connections for about half of keyward's peak: each does ~1 request per
# 1.15 ms when paced.
half=$((kw_rps / 2))
paced_conns=$(((half * 115 + 99999) / 100000))
echo "Half of keyward's peak (~$half req/s): $paced_conns paced connections, $ROUNDS rounds"
: >"$tmp/half"
for round in $(seq "$ROUNDS"); do
	read -r bare_rps_h bare_p99_h < <(run_wrk "http://$BARE_ADDR/v1/" "$paced_conns" -s "$tmp/paced.lua")
	read -r kw_rps_h kw_p99_h < <(run_wrk "http://$KEYWARD_ADDR/v1/" "$paced_conns" -s "$tmp/paced.lua")
	printf "  round %d: bare %6d req/s, p99 %6.3f ms   keyward %6d req/s, p99 %6.3f ms\n" \
		"$round" "$bare_rps_h" "$bare_p99_h" "$kw_rps_h" "$kw_p99_h"
	echo "$bare_rps_h $kw_rps_h $bare_p99_h $kw_p99_h" >>"$tmp/half"
done

echo
echo "Summary (medians of $ROUNDS rounds)"
printf "  peak:        bare %6d req/s (p99 %.3f ms), keyward %6d req/s (p99 %.3f ms)\n" "$bare_rps" "$bare_p99" "$kw_rps" "$kw_p99"
printf "  ratio keyward / bare: %.3f   (target >= 0.90)\n" "$ratio"
printf "  at half peak: bare %6d req/s (p99 %.3f ms), keyward %6d req/s (p99 %.3f ms)   (target p99 < 1 ms)\n" \
	"$(col 1 "$tmp/half")" "$(col 3 "$tmp/half")" "$(col 2 "$tmp/half")" "$(col 4 "$tmp/half")"
