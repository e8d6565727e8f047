# bench/lib.sh: what the benchmark scripts share. Source it from the
# repository's top directory.

export LANG=en_US.UTF-8

# tags are the Makefile's build tags: what is measured is what ships.
tags=$(sed -n 's/^TAGS := //p' Makefile)

# need COMMAND:PACKAGE… installs, from Debian's packages, those whose
# command is missing.
need() {
	local missing=()
	for pair in "$@"; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
	done
	[ ${#missing[@]} -eq 0 ] && return
	echo "Installing ${missing[*]}…"
	local sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y -q "${missing[@]}" >/dev/null
}

# tmp is removed, and the processes whose ids are in pids killed, when the
# script ends.
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
