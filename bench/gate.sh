#!/usr/bin/env bash
# bench/gate.sh measures what the gate costs a service behind nginx: the
# same wrk load through nginx to bench/bare (the upstream), once through a
# server block with auth_request to `keyward serve` (docs/gate/nginx.conf,
# as the README gives it, keep-alive to the gate) and once through one
# without, in alternating rounds. It prints requests/s at the peak, their
# ratio (target: gated / ungated >= 0.5, since each gated request costs a
# second HTTP round trip), and p99 at about half of the gated peak (target
# under 2 ms).
#
# The servers (nginx, keyward, the upstream) run on CPU $SERVER_CPU and
# wrk on CPU $LOAD_CPU.
#
# Usage: bench/gate.sh     (environment: DURATION=10s CONNS=32 THREADS=2 ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
ROUNDS=${ROUNDS:-3}
SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
KEYWARD=127.0.0.1:18690 APP=127.0.0.1:18691 GATED=18692 UNGATED=18693

. bench/lib.sh
need wrk:wrk bc:bc curl:curl taskset:util-linux nginx:nginx

echo "Building…"
go build -tags "$tags" -o "$tmp/keyward" .
go build -o "$tmp/seed" ./bench/seed
go build -o "$tmp/bare" ./bench/bare

echo "Seeding 1,000 keys…"
"$tmp/seed" -data "$tmp/data" -keys "$tmp/keys"
{ read -r account_key; read -r user_key; } <"$tmp/keys"
headers=(-H "x-api-key: $account_key" -H "x-api-secret-key: $user_key")


taskset -c "$SERVER_CPU" "$tmp/keyward" --data "$tmp/data" serve --listen "$KEYWARD" --rate-limit 1000000000 \
	--trusted-proxies 127.0.0.1/32 >"$tmp/serve.log" 2>&1 &
pids+=($!)
echo '{"ok":true}' >"$tmp/body.json"
taskset -c "$SERVER_CPU" "$tmp/bare" -listen "$APP" -body "$tmp/body.json" &
pids+=($!)
wait_for "$KEYWARD"
wait_for "$APP"

site=$(sed -e "s/127.0.0.1:8686/$KEYWARD/; s/127.0.0.1:8080/$APP/; s/listen 80;/listen 127.0.0.1:$GATED;/" docs/gate/nginx.conf)
user=""
[ "$(id -u)" = 0 ] && user="user root;"
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
$user
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
$site
	server {
		listen 127.0.0.1:$UNGATED;
		location / {
			proxy_set_header X-Api-Key "";
			proxy_set_header X-Api-Secret-Key "";
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_pass http://app;
		}
	}
}
CONF
taskset -c "$SERVER_CPU" nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
pids+=($!)
wait_for "127.0.0.1:$GATED"
status=$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "http://127.0.0.1:$GATED/")
[ "$status" = 200 ] || { echo "the gated server answered $status"; cat "$tmp/nginx/error.log"; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GATED/")
[ "$status" = 401 ] || { echo "the gated server let a request without keys through: $status"; exit 1; }

echo 'function delay() return 1 end' >"$tmp/paced.lua"


echo "Warming up…"
run_wrk "http://127.0.0.1:$UNGATED/" "$CONNS" >/dev/null
run_wrk "http://127.0.0.1:$GATED/" "$CONNS" >/dev/null

echo "Peak: wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds"
: >"$tmp/peak"
for round in $(seq "$ROUNDS"); do
	read -r plain_rps plain_p99 < <(run_wrk "http://127.0.0.1:$UNGATED/" "$CONNS")
	read -r gated_rps gated_p99 < <(run_wrk "http://127.0.0.1:$GATED/" "$CONNS")
	ratio=$(echo "$gated_rps / $plain_rps" | bc -l)
	printf "  round %d: ungated %6d req/s, p99 %6.3f ms   gated %6d req/s, p99 %6.3f ms   ratio %.3f\n" \
		"$round" "$plain_rps" "$plain_p99" "$gated_rps" "$gated_p99" "$ratio"
	echo "$plain_rps $gated_rps $plain_p99 $gated_p99 $ratio" >>"$tmp/peak"
done
gated_peak=$(col 2 "$tmp/peak")

# Connections for about half of the gated peak: each request through
# nginx and the gate, plus the 1 ms pause, takes about 2.5 ms.
half=$((gated_peak / 2))
paced_conns=$(((half * 25 + 9999) / 10000))
echo "Half of the gated peak (~$half req/s): $paced_conns paced connections, $ROUNDS rounds"
: >"$tmp/half"
for round in $(seq "$ROUNDS"); do
	read -r plain_rps_h plain_p99_h < <(run_wrk "http://127.0.0.1:$UNGATED/" "$paced_conns" -s "$tmp/paced.lua")
	read -r gated_rps_h gated_p99_h < <(run_wrk "http://127.0.0.1:$GATED/" "$paced_conns" -s "$tmp/paced.lua")
	printf "  round %d: ungated %6d req/s, p99 %6.3f ms   gated %6d req/s, p99 %6.3f ms\n" \
		"$round" "$plain_rps_h" "$plain_p99_h" "$gated_rps_h" "$gated_p99_h"
	echo "$plain_rps_h $gated_rps_h $plain_p99_h $gated_p99_h" >>"$tmp/half"
done

echo
echo "Summary (medians of $ROUNDS rounds)"
printf "  peak:        ungated %6d req/s (p99 %.3f ms), gated %6d req/s (p99 %.3f ms)\n" \
	"$(col 1 "$tmp/peak")" "$(col 3 "$tmp/peak")" "$gated_peak" "$(col 4 "$tmp/peak")"
printf "  ratio gated / ungated: %.3f   (target >= 0.5)\n" "$(col 5 "$tmp/peak")"
printf "  at half the gated peak: ungated p99 %.3f ms, gated p99 %.3f ms   (target < 2 ms)\n" "$(col 3 "$tmp/half")" "$(col 4 "$tmp/half")"
