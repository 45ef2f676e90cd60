#!/usr/bin/env bash
# run_step: success prints timing, failure stops with the step name and the log path,
# and leaves earlier outputs alone.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export DAPRKIT_CACHE="$tmp"
out=$(bash -c ". '$here/lib/common.sh'; ok() { echo fine > \"\$WORK_DIR/kept\"; }; run_step good ok" 2>&1)
echo "$out" | grep -q 'step good: done in' || { echo "no timing: $out"; exit 1; }
set +e
out=$(bash -c ". '$here/lib/common.sh'; bad() { echo boom; exit 3; }; run_step broken bad; echo NOT-REACHED" 2>&1); rc=$?
set -e
[ "$rc" -ne 0 ] || { echo "failure did not stop"; exit 1; }
echo "$out" | grep -q "step broken FAILED (rc=3).*$tmp/logs/broken.log" || { echo "bad message: $out"; exit 1; }
echo "$out" | grep -q NOT-REACHED && { echo "continued after failure"; exit 1; }
grep -q boom "$tmp/logs/broken.log"
[ "$(cat "$tmp/work/kept")" = fine ]
