#!/usr/bin/env bash
# bench/crash.sh runs the crash test for longer than make test does: a
# child process makes changes as fast as it can and is killed with SIGKILL
# at random moments, ROUNDS times; after every kill the store must open at
# once and hold every change the child saw acknowledged.
#
# Usage: bench/crash.sh     (environment: ROUNDS=2000)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
KEYWARD_CRASH_ROUNDS=${ROUNDS:-2000} go test -tags "$tags" -count=1 -timeout 2h -run '^TestCrashSafety$' -v ./data/ |
	grep -E 'kills|^(ok|FAIL|---)'
