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

# wait_for ADDRESS waits until something answers HTTP there.
wait_for() {
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://$1/" && return 0
		sleep 0.1
	done
	echo "nothing answers on $1" >&2
	exit 1
}

# run_wrk URL CONNS [wrk options…] → "requests/s p99-ms": wrk on CPU
# $LOAD_CPU with $THREADS threads for $DURATION, sending the headers of
# the array headers. Any answer that is not 2xx ends the script.
run_wrk() {
	local url=$1 conns=$2
	shift 2
	taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency "$@" "${headers[@]}" "$url" >"$tmp/wrk.out"
	if grep -q "Non-2xx" "$tmp/wrk.out"; then
		echo "wrk saw errors against $url:" >&2
		cat "$tmp/wrk.out" >&2
		exit 1
	fi
	awk '
		/Requests\/sec/ { rps = $2 }
		$1 == "99%" { v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
			ms = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v }
		END { printf "%.0f %.3f\n", rps, ms }' "$tmp/wrk.out"
}

# median prints the median of the numbers on stdin; col N FILE that of
# the Nth column of FILE.
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
col() { cut -d' ' -f"$1" "$2" | median; }
