#!/usr/bin/env bash
# bench/scale.sh measures Keyward with 100,000 keys (SPEC §6 "Scale") on
# both backends: a data directory (Badger) and a shared store (a Redis of
# the script's own, on a Unix socket, append-only file on). It seeds the
# directory (999 keys a Viewer, about 100 users), copies it into Redis with
# `keyward migrate --to`, then, on each, times the commands an
# administrator runs (wall time and peak resident memory, the best of
# $ROUNDS) and how long `keyward serve` takes from its start until it
# answers an authenticated request.
#
# Usage: bench/scale.sh     (environment: KEYS=100000 ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-100000}
ROUNDS=${ROUNDS:-3}
ADDR=127.0.0.1:18688

. bench/lib.sh
need curl:curl redis-server:redis-server /usr/bin/time:time

echo "Building…"
go build -tags "$tags" -o "$tmp/keyward" .
go build -o "$tmp/seed" ./bench/seed

echo "Seeding $KEYS keys…"
start=$(date +%s.%N)
"$tmp/seed" -data "$tmp/data" -keys "$tmp/keys" -n "$KEYS"
echo "  seeded in $(echo "$(date +%s.%N) - $start" | bc) s"
{ read -r account_key; read -r user_key; } <"$tmp/keys"

redis-server --port 0 --unixsocket "$tmp/redis.sock" --unixsocketperm 700 --dir "$tmp" \
	--appendonly yes --save "" --daemonize no --logfile "$tmp/redis.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$tmp/redis.sock" ] && break; sleep 0.1; done
url="unix://$tmp/redis.sock?account=scale"

echo "Copying into Redis…"
start=$(date +%s.%N)
"$tmp/keyward" --data "$tmp/data" migrate --to "$url" >/dev/null
echo "  migrated in $(echo "$(date +%s.%N) - $start" | bc) s"

# best CMD…: the least wall time (s) and peak RSS (MB) of ROUNDS runs.
best() {
	local t=999 m=0
	for _ in $(seq "$ROUNDS"); do
		/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
		read -r e k <"$tmp/time"
		if (($(echo "$e < $t" | bc))); then t=$e m=$((k / 1024)); fi
	done
	printf "%6.2f s %5d MB" "$t" "$m"
}

# ready ARGS…: seconds from serve's start until it answers the measured key.
ready() {
	local best=999
	for _ in $(seq "$ROUNDS"); do
		local start now
		start=$(date +%s.%N)
		"$tmp/keyward" "$@" serve --listen "$ADDR" >"$tmp/serve.log" 2>&1 &
		local pid=$!
		until curl -s -f -o /dev/null -H "x-api-key: $account_key" -H "x-api-secret-key: $user_key" "http://$ADDR/v1/"; do
			kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
			sleep 0.01
		done
		now=$(date +%s.%N)
		kill "$pid"
		wait "$pid" || true
		local took
		took=$(echo "$now - $start" | bc)
		if (($(echo "$took < $best" | bc))); then best=$took; fi
	done
	printf "%6.2f s" "$best"
}

run() { # label, then the global flags of a backend
	local label=$1
	shift
	local k=("$tmp/keyward" "$@")
	echo "$label:"
	echo "  keys list           $(best "${k[@]}" keys list)"
	echo "  keys list --json    $(best "${k[@]}" keys list --json)"
	echo "  users list          $(best "${k[@]}" users list)"
	echo "  cidr list           $(best "${k[@]}" cidr list measured-key)"
	echo "  api status          $(best "${k[@]}" api status)"
	echo "  serve ready         $(ready "$@")"
}

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(go version | cut -d' ' -f3)"
echo "With $KEYS keys (best of $ROUNDS):"
run "Badger (--data)" --data "$tmp/data"
run "Redis (--store, Unix socket)" --store "$url" --seal-key-file "$tmp/data/seal.key"
