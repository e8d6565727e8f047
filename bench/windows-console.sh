#!/usr/bin/env bash
# bench/windows-console.sh [EXE]: the console of the Windows executable as a
# new Windows user meets it, under Wine and Xvfb, before a release (not in
# CI). In a new Wine prefix it starts the exe with no command (the console)
# on a fresh data directory, fills the setup form with xdotool (account,
# name, email, password twice), which signs the Owner in on the API Keys
# tab, presses Enable API there, checks that the REST API answers on
# 127.0.0.1:8686 (401 without keys) and, once the console is closed, that
# `keyward api status` says it is enabled, and writes a screenshot of the
# window to docs/screenshots/windows-console.png (OUT=…), with each step's
# screenshot in SHOTS=DIR when set: look at it before using it.
#
# EXE defaults to make package's dist/keyward-VERSION-windows-amd64.exe,
# built when missing. The console serves on its default address: the script
# runs in a network namespace of its own (unshare -rn) where 127.0.0.1:8686
# is free whatever runs on the machine, and nothing leaves it. Like
# .ci/windows-check.sh it puts a stand-in bcryptprimitives.dll (ProcessPrng,
# .ci/wine/processprng.c) into its prefix only, for Debian's Wine 8.0.
set -euo pipefail
# The exe and OUT as given, from where the script was started.
[ $# -eq 0 ] || set -- "$(realpath "$1")"
[ -z "${OUT:-}" ] || OUT=$(realpath -m "$OUT")
cd "$(dirname "$0")/.."

if [ -z "${KEYWARD_NETNS:-}" ]; then
	. bench/lib.sh
	need Xvfb:xvfb xwd:x11-apps xwdtopnm:netpbm xdotool:xdotool wine:wine64 \
		x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64-posix curl:curl unshare:util-linux ip:iproute2
	if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
		echo "Installing fonts-dejavu-core…"
		$([ "$(id -u)" = 0 ] || echo sudo) apt-get install -y -q fonts-dejavu-core >/dev/null
	fi
	exe=${1:-dist/keyward-$(sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)-windows-amd64.exe}
	if [ ! -f "$exe" ] && [ $# -eq 0 ]; then make package; fi
	[ -f "$exe" ] || { echo "There is no $exe." >&2; exit 1; }
	unshare -rn true 2>/dev/null || { echo "This script needs a network namespace of its own (unshare -rn)." >&2; exit 1; }
	rm -rf "$tmp"
	trap - EXIT
	exec env KEYWARD_NETNS=1 unshare -rn bash "$PWD/bench/windows-console.sh" "$(realpath "$exe")"
fi

# In the namespace: only the loopback interface, brought up.
ip link set lo up
exe=$1
out=${OUT:-docs/screenshots/windows-console.png}
. bench/lib.sh
export WINEPREFIX=$tmp/prefix WINEARCH=win64 WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree=;mshtml=;bcryptprimitives=n"
# lib.sh's cleanup, after the prefix's wineserver and every Windows process
# in it are stopped.
trap 'if [ -d "$WINEPREFIX" ]; then wineserver -k 2>/dev/null || true; fi; cleanup' EXIT

Xvfb -displayfd 3 -screen 0 1280x800x24 3>"$tmp/display" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
DISPLAY=:$(cat "$tmp/display")
export DISPLAY

echo "A new Wine prefix…"
wineboot --init >/dev/null 2>&1
x86_64-w64-mingw32-gcc -shared -s -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
	.ci/wine/processprng.c -ladvapi32
echo "Test fixture: a stand-in bcryptprimitives.dll (ProcessPrng) in this prefix only."
# Windows' own fonts (Arial, Segoe UI Symbol) have the characters Fyne's
# font lacks, such as the sort arrows ▲▼ of the keys table; a Wine prefix
# has none of them, so DejaVu Sans stands in for them, as on Linux.
for f in /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf; do
	[ -f "$f" ] && cp "$f" "$WINEPREFIX/drive_c/windows/Fonts/"
done

# shot NAME: the window, cut out of the screen, as $tmp/NAME.png (and in
# $SHOTS when set).
shot() {
	eval "$(xdotool getwindowgeometry --shell "$win")"
	xwd -root -silent | xwdtopnm 2>/dev/null | pamcut -left "$X" -top "$Y" -width "$WIDTH" -height "$HEIGHT" |
		pnmtopng >"$tmp/$1.png"
	if [ -n "${SHOTS:-}" ]; then mkdir -p "$SHOTS" && cp "$tmp/$1.png" "$SHOTS/"; fi
}

# button_at PNG → "X Y", the centre of the topmost button drawn in the
# theme's primary colour (41,111,246 in the light theme) in a screenshot of
# the window: at least 60 pixels wide and 20 high (the selected tab's
# underline is thinner). On the API Keys tab with the API disabled, it is
# Enable API (Add is further down).
button_at() {
	local w
	w=$(pngtopnm "$1" | head -c 100 | sed -n 2p | cut -d' ' -f1)
	# The plain PPM's values, one a line, three a pixel, row by row.
	pngtopnm "$1" | pnmtoplainpnm | tail -n +4 | tr -s ' ' '\n' | grep . | awk -v w="$w" '
		function blue(r, g, b) { return r > 21 && r < 61 && g > 86 && g < 136 && b > 231 }
		{
			c = (NR - 1) % 3
			px[c] = $1
			if (c < 2 || final) next
			p = int((NR - 1) / 3); x = p % w; y = int(p / w)
			if (x == 0) { run = 0; hit = 0; left = 0; right = 0 }
			if (blue(px[0], px[1], px[2])) {
				if (run == 0) start = x
				run++
				if (run >= 60 && !hit) { hit = 1; rs = start }
				if (hit && start == rs) re = x
				if (found && x == x0 + 4) left = 1
				if (found && x == x1 - 4) right = 1
			} else run = 0
			# At the end of a row: the first row with such a run is a
			# shape'"'"'s top; the rows under it that are blue at both its
			# ends (its label is not) are the rest of it; a shape at least
			# 20 rows high is the button.
			if (x == w - 1) {
				if (!found) { if (hit) { found = 1; top = y; bottom = y; x0 = rs; x1 = re } }
				else if (left && right && y == bottom + 1) bottom = y
				else if (bottom - top + 1 >= 20) final = 1
				else { found = 0; if (hit) { found = 1; top = y; bottom = y; x0 = rs; x1 = re } }
			}
		}
		END { if (final) printf "%d %d\n", (x0 + x1) / 2, (top + bottom) / 2 }'
}

echo "The console, on a fresh data directory…"
wine "$exe" --data 'C:\keyward-data' >"$tmp/console.out" 2>"$tmp/console.err" &
pids+=($!)
win=""
for _ in $(seq 150); do
	win=$(xdotool search --name Keyward 2>/dev/null | head -1) && [ -n "$win" ] && break
	sleep 0.2
done
[ -n "$win" ] || { cat "$tmp/console.err"; echo "No window within 30 s." >&2; exit 1; }
sleep 2
shot 1-setup
xdotool windowfocus --sync "$win"
sleep 1
# The setup form: account name (focused), your name, email, password,
# repeat it; Return creates the account and signs its Owner in.
for field in 'Acme Corp' 'Ada Lovelace' 'ada@example.com' 'a long owner password' 'a long owner password'; do
	xdotool type --delay 30 "$field"
	xdotool key Tab
done
shot 2-setup-filled
xdotool key Return
sleep 3
shot 3-signed-in

at=$(button_at "$tmp/3-signed-in.png")
[ -n "$at" ] || { echo "No Enable API button on the screen (see SHOTS=DIR)." >&2; exit 1; }
# shellcheck disable=SC2086 # "X Y"
xdotool mousemove --window "$win" $at click 1
sleep 3
shot 4-api-enabled

# The API answers where the console says (401 without keys), and what
# Enable API did is in the store: close the console, then ask the command
# line.
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 http://127.0.0.1:8686/v1/ || true)
[ "$code" = 401 ] || { cat "$tmp/console.err"; echo "GET /v1/ without keys: $code, want 401." >&2; exit 1; }
echo "The REST API answers on 127.0.0.1:8686 (401 without keys)."
mkdir -p "$(dirname "$out")"
cp "$tmp/4-api-enabled.png" "$out"
wineserver -k
sleep 1
wine "$exe" --data 'C:\keyward-data' api status >"$tmp/status" 2>&1 || true
sed -i 's/\r$//' "$tmp/status"
grep -q '^REST API: *enabled' "$tmp/status" || { cat "$tmp/status"; echo "The API is not enabled in the store." >&2; exit 1; }
echo "api status: $(grep '^REST API' "$tmp/status")"
echo "Screenshot: $(realpath "$out")"
