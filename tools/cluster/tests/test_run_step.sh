#!/usr/bin/env bash
# run_step: a function of the calling script runs in a process of its own (the script again, with
# --step) and gets its arguments; success prints timing; failure stops with the step name and the
# log path, and leaves earlier outputs alone.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export DAPRKIT_CACHE="$tmp"
cat >"$tmp/script.sh" <<SCRIPT
#!/usr/bin/env bash
. '$here/lib/common.sh'
ok() { echo "fine \$1 pid \$\$" > "\$WORK_DIR/kept"; }
bad() { echo boom; exit 3; }
main() {
  run_step good ok "an arg"; echo "parent pid \$\$" >"\$WORK_DIR/parent"
  run_step broken bad; echo NOT-REACHED
}
script_main "\$@"
SCRIPT
set +e
out=$(bash "$tmp/script.sh" 2>&1); rc=$?
set -e
echo "$out" | grep -q 'step good: done in' || { echo "no timing: $out"; exit 1; }
grep -q '^fine an arg pid ' "$tmp/work/kept" ||
  { echo "step did not get its argument: $(cat "$tmp/work/kept")"; exit 1; }
[ "$(cut -d' ' -f5 "$tmp/work/kept")" != "$(cut -d' ' -f3 "$tmp/work/parent")" ] ||
  { echo "the step ran in the calling process"; exit 1; }
[ "$rc" -ne 0 ] || { echo "failure did not stop"; exit 1; }
echo "$out" | grep -q "step broken FAILED (rc=3).*$tmp/logs/broken.log" || { echo "bad message: $out"; exit 1; }
if echo "$out" | grep -q NOT-REACHED; then echo "continued after failure"; exit 1; fi
grep -q boom "$tmp/logs/broken.log"
grep -q '^fine' "$tmp/work/kept"
