#!/usr/bin/env bash
# bench/console.sh measures the console with 10,000 keys:
#  1. Go benchmarks with Fyne's test driver: opening the window on the API
#     Keys tab with 10 and with 10,000 keys (each size in its own process:
#     the test driver never frees the renderers a run made, which would tax
#     the next), and one keystroke in the filter.
#  2. The resident memory (RSS) of the real keyward window with 10,000 keys,
#     signed in on the API Keys tab, against an empty Fyne window of the same
#     size under the same Xvfb; against bench/widgetwindow, the same kinds of
#     widgets with no data (what drawing such a screen costs in Fyne and
#     Mesa alone); and against keyward with 10 keys (what the keys cost).
#     Every process is built with the Makefile's tags, and measured SETTLE
#     seconds after its window is up (after sign-in for keyward).
#
# Usage: bench/console.sh      (environment: COUNT=5 KEYS=10000 SETTLE=15)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-5}
KEYS=${KEYS:-10000}
SETTLE=${SETTLE:-15}

. bench/lib.sh
need Xvfb:xvfb xdotool:xdotool bc:bc

echo "== Go benchmarks (fyne test driver)"
for bench in 'APIKeysTab/keys=10$' 'APIKeysTab/keys=10000$' 'FilterKeystroke$'; do
	go test -tags "$tags" ./app/console -run '^$' -bench "$bench" -benchtime 30x -count "$COUNT" | grep '^Benchmark'
done

echo "== Resident memory under Xvfb"
go build -tags "$tags" -o "$tmp/keyward" .
go build -tags "$tags" -o "$tmp/emptywindow" ./bench/emptywindow
go build -tags "$tags" -o "$tmp/widgetwindow" ./bench/widgetwindow
go build -o "$tmp/seed" ./bench/seed
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

# window_rss PROGRAM → the RSS of a baseline window
window_rss() {
	"$1" >/dev/null 2>&1 &
	local p=$!
	pids+=("$p")
	sleep $((SETTLE + 4))
	rss "$p"
	kill "$p"
	wait "$p" 2>/dev/null || true
}

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
	sleep "$SETTLE"
	rss "$console"
	kill "$console"
	wait "$console" 2>/dev/null || true
}
empty_rss=$(window_rss "$tmp/emptywindow")
widgets_rss=$(window_rss "$tmp/widgetwindow")
ten_rss=$(console_rss "$tmp/data10")
many_rss=$(console_rss "$tmp/data")

ratio() { echo "$1 / $2" | bc -l; }
printf "  empty Fyne window 1000x680:          %6d KiB\n" "$empty_rss"
printf "  widget window, no data:              %6d KiB  (%.3f x empty)\n" "$widgets_rss" "$(ratio "$widgets_rss" "$empty_rss")"
printf "  keyward, 10 keys, API Keys tab:      %6d KiB\n" "$ten_rss"
printf "  keyward, %d keys, API Keys tab:   %6d KiB\n" "$KEYS" "$many_rss"
printf "  %d keys: %.3f x the empty window (target <= 1.25), %.3f x the widget window; they cost %d KiB over 10\n" \
	"$KEYS" "$(ratio "$many_rss" "$empty_rss")" "$(ratio "$many_rss" "$widgets_rss")" "$((many_rss - ten_rss))"
