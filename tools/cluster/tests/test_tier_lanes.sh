#!/usr/bin/env bash
# The cluster tier's lanes (lib/tier-lanes.sh) with entries that only sleep: at most two at once, two lanes really
# used, never two entries of one scenario at once, resilience/upgrade/test-fleet alone and not overtaken, every
# entry started once and its exit status recorded, a skipped entry does not hang the tier.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
events=$tmp/events
# shellcheck source-path=SCRIPTDIR source=../lib/tier-lanes.sh
. "$here/lib/tier-lanes.sh"
start_entry() {
  [[ $1 == skipped ]] && return 1
  echo "start $1" >>"$events"
  # helm_daemonset's entries are long, so that a naive lane would pair its two variants
  local seconds=0.3
  [[ $1 == helm_daemonset* ]] && seconds=1
  { sleep "$seconds"; echo "end $1" >>"$events"; [[ $1 != *fails ]]; } &
}
ended=()
entry_ended() { ended+=("$1=$2"); }
run_lanes 2 helm_daemonset@helm4 helm_daemonset switch_backend@helm4-configmap switch_backend skipped \
  uninstall@fails resilience manifests_daemonset test-fleet security
python3 - "$events" "${ended[@]}" <<'PY'
import sys
events = [line.split() for line in open(sys.argv[1])]
ended = dict(e.split('=') for e in sys.argv[2:])
running, most = set(), 0
alone = {'resilience', 'test-fleet', 'upgrade'}
order = [name for kind, name in events if kind == 'start']
for kind, name in events:
    if kind == 'end':
        running.discard(name)
        continue
    scenario = name.split('@')[0]
    assert len(running) < 2, f'{name} started beside {running}'
    assert scenario not in {r.split('@')[0] for r in running}, f'{name} started while {running} ran'
    if scenario in alone or any(r.split('@')[0] in alone for r in running):
        assert not running, f'{name} started beside {running}'
    running.add(name)
    most = max(most, len(running))
assert most == 2, 'the two lanes were never used at once'
assert sorted(order) == sorted(set(order)) and 'skipped' not in order, order
assert len(order) == 9, order
# an entry that runs alone is not overtaken by one listed after it
assert order.index('manifests_daemonset') > order.index('resilience'), order
assert order.index('security') > order.index('test-fleet'), order
assert ended.pop('uninstall@fails') != '0', 'a failed entry was recorded as passed'
assert set(ended.values()) == {'0'} and len(ended) == 8, ended
PY
