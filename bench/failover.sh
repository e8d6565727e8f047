#!/usr/bin/env bash
# bench/failover.sh measures a Redis Sentinel failover under Keyward
# (SPEC §4 "Faults"). On loopback it starts a primary and a replica, both
# with the append-only file on, and three sentinels (quorum 2, primary down
# after 1 s); bench/failover writes keys through a Sentinel store URL while
# a second handle authenticates, and the script kills the primary with
# SIGKILL $KILL_AFTER seconds in. Then it prints what bench/failover
# measured: acknowledged changes lost (must be 0), how long changes failed,
# whether authentication ever failed (it must not: it answers from the
# index), and how long the second handle took to follow again.
#
# Usage: bench/failover.sh     (environment: DURATION=20s KILL_AFTER=5)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
KILL_AFTER=${KILL_AFTER:-5}
PRIMARY=16390 REPLICA=16391 SENTINELS=(26390 26391 26392)

. bench/lib.sh
need redis-server:redis-server redis-cli:redis-tools

go build -o "$tmp/failover" ./bench/failover

server() { # port, extra arguments
	local port=$1
	shift
	mkdir -p "$tmp/$port"
	redis-server --bind 127.0.0.1 --port "$port" --dir "$tmp/$port" --appendonly yes --save "" \
		--daemonize no --logfile "$tmp/$port/redis.log" "$@" &
	pids+=($!)
}
server "$PRIMARY"
primary_pid=${pids[-1]}
server "$REPLICA" --replicaof 127.0.0.1 "$PRIMARY"
for port in "${SENTINELS[@]}"; do
	mkdir -p "$tmp/$port"
	cat >"$tmp/$port/sentinel.conf" <<CONF
bind 127.0.0.1
port $port
dir $tmp/$port
logfile $tmp/$port/sentinel.log
sentinel monitor keyward 127.0.0.1 $PRIMARY 2
sentinel down-after-milliseconds keyward 1000
sentinel failover-timeout keyward 10000
CONF
	redis-server "$tmp/$port/sentinel.conf" --sentinel &
	pids+=($!)
done
for _ in $(seq 100); do
	[ "$(redis-cli -p "$REPLICA" info replication | tr -d '\r' | sed -n 's/^master_link_status://p')" = up ] &&
		[ "$(redis-cli -p "${SENTINELS[0]}" sentinel sentinels keyward 2>/dev/null | grep -c '^name$')" -ge 2 ] && break
	sleep 0.2
done
echo "Primary 127.0.0.1:$PRIMARY, replica :$REPLICA, sentinels :${SENTINELS[*]}"

url="redis://127.0.0.1:${SENTINELS[0]}/0?master=keyward&addr=127.0.0.1:${SENTINELS[1]}&addr=127.0.0.1:${SENTINELS[2]}&account=failover"
"$tmp/failover" -store "$url" -seal-key-file "$tmp/seal.key" -duration "$DURATION" >"$tmp/report" 2>&1 &
writer=$!
sleep "$KILL_AFTER"
echo "$(date +%T.%3N) killing the primary (SIGKILL)"
{ kill -9 "$primary_pid"; wait "$primary_pid"; } 2>/dev/null || true
status=0
wait "$writer" || status=$?
echo "Sentinel's primary now: $(redis-cli -p "${SENTINELS[0]}" sentinel get-master-addr-by-name keyward | tr '\n' ' ')"
grep -h -E '\+(sdown|odown|switch-master)' "$tmp"/2639*/sentinel.log | head -6 || true
cat "$tmp/report"
exit "$status"
