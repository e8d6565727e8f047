#!/usr/bin/env bash
# bench/console.sh measures the console with 10,000 keys:
#  1. Go benchmarks with Fyne's test driver: opening the window on the API
#     Keys tab with 10 and with 10,000 keys (each size in its own process:
#     the test driver never frees the renderers a run made, which would tax
#     the next), and one keystroke in the filter.
#  2. The resident memory (RSS) of the real keyward window with 10,000 keys,
#     signed in on the API Keys tab, against an empty Fyne window of the same
#     size under the same Xvfb, and against keyward with 10 keys (what the
#     keys themselves cost).
#
# Usage: bench/console.sh      (environment: COUNT=5 KEYS=10000)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-5}
KEYS=${KEYS:-10000}

. bench/lib.sh
need Xvfb:xvfb xdotool:xdotool bc:bc

echo "== Go benchmarks (fyne test driver)"
for bench in 'APIKeysTab/keys=10$' 'APIKeysTab/keys=10000$' 'FilterKeystroke$'; do
	go test ./app -run '^$' -bench "$bench" -benchtime 30x -count "$COUNT" | grep '^Benchmark'
done

echo "== Resident memory under Xvfb"
go build -o "$tmp/keyward" .
go build -o "$tmp/seed" ./bench/seed
go build -o "$tmp/emptywindow" ./bench/emptywindow
echo "Seeding 10 and $KEYS keys…"
"$tmp/seed" -data "$tmp/data10" -keys "$tmp/keys10" -n 10
"$tmp/seed" -data "$tmp/data" -keys "$tmp/keys" -n "$KEYS"

display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
pids+=($!)
sleep 1
export DISPLAY=$display
export HOME=$tmp # fresh Fyne preferences: the default window size

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; } # KiB

"$tmp/emptywindow" >/dev/null 2>&1 &
empty=$!
pids+=("$empty")
sleep 4
empty_rss=$(rss "$empty")
kill "$empty"

# console_rss DATA_DIR → the RSS of keyward signed in on the API Keys tab
console_rss() {
	"$tmp/keyward" --data "$1" >/dev/null 2>&1 &
	local console=$!
	pids+=("$console")
	sleep 4
	xdotool type --delay 20 owner@example.com
	xdotool key Tab
	xdotool type --delay 20 'benchmark password'
	xdotool key Return
	sleep 6 # sign-in (Argon2id), the window, a few frames
	rss "$console"
	kill "$console"
	wait "$console" 2>/dev/null || true
}
ten_rss=$(console_rss "$tmp/data10")
many_rss=$(console_rss "$tmp/data")

printf "  empty Fyne window 1000x680:        %6d KiB\n" "$empty_rss"
printf "  keyward, 10 keys, API Keys tab:    %6d KiB\n" "$ten_rss"
printf "  keyward, %d keys, API Keys tab: %6d KiB\n" "$KEYS" "$many_rss"
printf "  ratio to the empty window: %.3f (target <= 1.25); %d keys cost %d KiB over 10\n" \
	"$(echo "$many_rss / $empty_rss" | bc -l)" "$KEYS" "$((many_rss - ten_rss))"
