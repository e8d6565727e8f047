#!/usr/bin/env bash
# .ci/windows-check.sh [EXE]: runs the Windows executable under Wine as a
# new Windows user would, in a Wine prefix of its own in a temporary
# directory, on a fresh data directory (the default one, in the prefix's
# profile): --version, --help, init, users add, api enable, api
# account-key, keys create, cidr add, keys list --json, then serve on a free
# loopback port, called with curl (200 with a key whose allow list admits
# 127.0.0.1, 403 with one whose list does not) and stopped with Ctrl+C.
# Every step checks its exit status and its output; the first that fails
# ends the check with status 1, and serve and the prefix's wineserver are
# stopped whatever happens.
#
# EXE defaults to $KEYWARD_EXE, else make package's
# dist/keyward-VERSION-windows-amd64.exe. KEYWARD_VERSION, when set, is the
# version --version must print. make package-check runs this after make
# package; it needs wine (Debian's wine64), x86_64-w64-mingw32-gcc and
# curl, which make windows-deps installs.
#
# No key is printed: the account key and the user keys are kept in files of
# the temporary directory, and curl reads its headers from them.
set -eu
cd "$(dirname "$0")/.."

say() { echo "windows-check: $*"; }
fail() {
	say "FAILED: $*"
	exit 1
}

exe=${1:-${KEYWARD_EXE:-}}
if [ -z "$exe" ]; then
	exe=dist/keyward-$(sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)-windows-amd64.exe
fi
[ -f "$exe" ] || fail "there is no $exe: make package builds it where x86_64-w64-mingw32-gcc is installed (make windows-deps)"
exe=$(realpath "$exe")
for c in wine wineboot wineserver x86_64-w64-mingw32-gcc curl; do
	command -v "$c" >/dev/null 2>&1 || fail "$c is missing: make windows-deps installs it"
done

tmp=$(mktemp -d)
chmod 700 "$tmp"
export WINEPREFIX=$tmp/prefix WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko: a command-line check needs neither, and without them
# wineboot asks for no download.
export WINEDLLOVERRIDES="mscoree=;mshtml="
serve_pid=""
cleanup() {
	status=$?
	if [ -n "$serve_pid" ]; then
		kill "$serve_pid" 2>/dev/null || true
		wait "$serve_pid" 2>/dev/null || true
	fi
	# WINEPREFIX is set: this stops the prefix's own wineserver, and every
	# Windows process still running in it, no other.
	if [ -d "$WINEPREFIX" ]; then wineserver -k 2>/dev/null || true; fi
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$(date +%s)
say "$exe under $(wine --version) in a new prefix"
timeout 300 wineboot --init >"$tmp/wineboot.log" 2>&1 || { cat "$tmp/wineboot.log"; fail "wineboot --init"; }

# Every Go program since Go 1.22 needs ProcessPrng from bcryptprimitives.dll
# (Windows 10 and later have it), which Wine 8.0 lacks. A stand-in built from
# .ci/wine/processprng.c goes into this test prefix only: a test fixture,
# never shipped (dist/ does not hold it).
x86_64-w64-mingw32-gcc -shared -s -O2 -o "$tmp/bcryptprimitives.dll" .ci/wine/processprng.c -ladvapi32 ||
	fail "building the stand-in bcryptprimitives.dll"
cp "$tmp/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
export WINEDLLOVERRIDES="$WINEDLLOVERRIDES;bcryptprimitives=n"
say "test fixture: a stand-in bcryptprimitives.dll (ProcessPrng over RtlGenRandom, .ci/wine/processprng.c) in the test prefix only, for Wine $(wine --version | sed 's/^wine-//'); it is not shipped"

out=$tmp/out
err=$tmp/err

# kw NAME STDIN ARGS... runs the exe with ARGS and STDIN, its output in $out
# and $err, and fails the check, with what it said on stderr, unless it
# exits 0.
kw() {
	local name=$1 stdin=$2
	shift 2
	local code=0
	printf '%s' "$stdin" | timeout 120 wine "$exe" "$@" >"$out" 2>"$err" || code=$?
	# Windows programs print CRLF nowhere here, but Wine's console may.
	sed -i 's/\r$//' "$out" "$err"
	if [ "$code" -ne 0 ]; then
		cat "$err"
		fail "$name: exit status $code"
	fi
}

# expect NAME PATTERN: the last command's stdout must match the extended
# regular expression PATTERN; it is shown when it does not, unless it holds
# a key (secret=1).
secret=0
expect() {
	if ! grep -Eq -- "$2" "$out"; then
		if [ "$secret" = 1 ]; then
			echo "(its output is not shown: it may hold a key)"
		else
			cat "$out" "$err"
		fi
		fail "$1: the output does not match /$2/"
	fi
	say "ok  $1"
}

# save FILE: the last command printed only a key, which goes into FILE;
# nothing of it is shown.
save() {
	tr -d '\n' <"$out" >"$1"
}

version=${KEYWARD_VERSION:-[0-9][0-9.]*}
kw "--version" "" --version
expect "--version" "^Keyward $version \(build [0-9]+\)$"

# The default data directory, as Fyne's storage root names it on Windows:
# %USERPROFILE%\AppData\Roaming\fyne\io.keyward.app (%APPDATA%).
datadir='C:\\users\\[^\\]+\\AppData\\Roaming\\fyne\\io\.keyward\.app'
kw "--help" "" --help
expect "--help shows the Windows default data directory" "else $datadir\)"

kw "init" "a long owner password
" init --account Smoke --owner-name "Smoke Test" --owner-email smoke@example.com
expect "init" "^Created the account Smoke with its Owner Smoke Test \(smoke@example.com\)\.$"
expect "init in the default data directory" "^Data directory: $datadir$"

kw "users add" "" users add --name "Vic Viewer" --email vic@example.com --role viewer
expect "users add" "^Added Vic Viewer \(vic@example.com\) to the team as Viewer \(id [0-9]+\)\.$"

# The first step of the Redis Cloud flow, on a directory that has no seal
# key yet: it writes one (issue 15: "sync ...: Access denied" here).
kw "api enable" "" api enable
expect "api enable on the fresh data directory" "^The REST API is enabled and a new account key was issued"

secret=1
kw "api account-key" "" api account-key
expect "api account-key" "^kwa_[0-9A-Za-z]{38}$"
save "$tmp/account.key"

kw "keys create (allowed from 127.0.0.1)" "" keys create --name local-key-01 --user smoke@example.com
expect "keys create (allowed from 127.0.0.1)" "^kwu_[0-9A-Za-z]{38}$"
save "$tmp/local.key"
kw "keys create (allowed elsewhere)" "" keys create --name remote-key-01 --user vic@example.com
expect "keys create (allowed elsewhere)" "^kwu_[0-9A-Za-z]{38}$"
save "$tmp/remote.key"
secret=0

kw "cidr add" "" cidr add local-key-01 127.0.0.0/8
expect "cidr add 127.0.0.0/8 to local-key-01" "^Added 127\.0\.0\.0/8 to the allow list of local-key-01\.$"
kw "cidr add" "" cidr add remote-key-01 203.0.113.0/24
expect "cidr add 203.0.113.0/24 to remote-key-01" "^Added 203\.0\.113\.0/24 to the allow list of remote-key-01\.$"

kw "keys list --json" "" keys list --json
expect "keys list --json: local-key-01" '"name": "local-key-01"'
expect "keys list --json: its rule" '"127\.0\.0\.0/8"'
expect "keys list --json: remote-key-01" '"name": "remote-key-01"'
for k in account local remote; do
	if grep -qFf "$tmp/$k.key" "$out"; then fail "keys list --json shows the $k key's value"; fi
done
say "ok  keys list --json shows no key's value"

# serve on a free loopback port (the system picks it: --listen :0), from a
# console as a user starts it, cmd.exe's: its first lines say where.
# keyward.exe is copied into the prefix, as a user puts it anywhere.
mkdir -p "$WINEPREFIX/drive_c/Keyward"
cp "$exe" "$WINEPREFIX/drive_c/Keyward/keyward.exe"
timeout 300 wine cmd /c 'C:\Keyward\keyward.exe serve --listen 127.0.0.1:0' </dev/null >"$tmp/serve.out" 2>"$tmp/serve.err" &
serve_pid=$!
url=""
for _ in $(seq 600); do
	url=$(sed -n 's/^Serving the REST API of Smoke on \(http:\/\/127\.0\.0\.1:[0-9]*\) .*/\1/p' "$tmp/serve.out")
	[ -n "$url" ] && break
	kill -0 "$serve_pid" 2>/dev/null || { cat "$tmp/serve.out" "$tmp/serve.err"; fail "serve exited before serving"; }
	sleep 0.1
done
[ -n "$url" ] || { cat "$tmp/serve.out" "$tmp/serve.err"; fail "serve did not say where it serves within 60 s"; }
say "ok  serve on $url"

# call KEYFILE: the status of GET /v1/ with the account key and that user
# key, the headers read from a file so that no key is on a command line.
call() {
	{
		printf 'x-api-key: %s\n' "$(cat "$tmp/account.key")"
		printf 'x-api-secret-key: %s\n' "$(cat "$1")"
	} >"$tmp/headers"
	curl -s -o "$tmp/body" -w '%{http_code}' --max-time 30 -H @"$tmp/headers" "$url/v1/" || true
}
code=$(call "$tmp/local.key")
[ "$code" = 200 ] || { cat "$tmp/body" "$tmp/serve.err"; fail "GET /v1/ with a key allowed from 127.0.0.0/8: $code, want 200"; }
say "ok  GET /v1/ with a key allowed from 127.0.0.0/8: 200"
code=$(call "$tmp/remote.key")
[ "$code" = 403 ] || { cat "$tmp/body" "$tmp/serve.err"; fail "GET /v1/ with a key allowed from 203.0.113.0/24 only: $code, want 403"; }
say "ok  GET /v1/ with a key allowed from 203.0.113.0/24 only: 403"
rm -f "$tmp/headers"

# Ctrl+C in that console: Wine turns a SIGINT to a process with a console
# into CTRL_C_EVENT, which Go delivers as os.Interrupt; serve must let
# requests finish, say so, and exit 0 (cmd /c passes its status on). The
# Windows process is found by its command line and this prefix.
kwpid=""
for p in $(ps -e -o pid= -o args= | awk '$2 == "C:\\Keyward\\keyward.exe" && $3 == "serve" { print $1 }'); do
	if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "WINEPREFIX=$WINEPREFIX"; then kwpid=$p; fi
done
[ -n "$kwpid" ] || { ps -e -o pid,args; fail "serve's process is not to be found"; }
kill -INT "$kwpid"
for _ in $(seq 300); do
	kill -0 "$serve_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$serve_pid" 2>/dev/null; then
	cat "$tmp/serve.out" "$tmp/serve.err"
	fail "serve did not stop within 30 s of Ctrl+C"
fi
code=0
wait "$serve_pid" || code=$?
serve_pid=""
sed -i 's/\r$//' "$tmp/serve.out"
if [ "$code" != 0 ] || ! grep -qx "Stopped." "$tmp/serve.out"; then
	cat "$tmp/serve.out" "$tmp/serve.err"
	fail "serve after Ctrl+C: exit status $code"
fi
say "ok  serve stops on Ctrl+C in its console (CTRL_C_EVENT): Stopped., exit status 0"

say "the Windows executable works under Wine ($(($(date +%s) - start)) s)"
