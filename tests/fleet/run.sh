#!/usr/bin/env bash
# make test-fleet: site.yml over a fleet of three kind clusters in one run (inventory/fleet), as a platform team
# runs it: the main cluster of `make cluster` and two small single-node ones (make cluster-fleet).
#   1. converge all three with forks=3: every cluster converges, the summary has one "converged" line each
#   2. re-run: changed=0 on every cluster; then check mode: changed=0
#   3. playbooks/info.yml: one table, a line per instance of every cluster, each Ready with current trust anchors
#   4. one cluster's API unreachable (its node container stopped) during a change of every instance: the other
#      two converge to it, the recap and the summary name the failed cluster with its cause, the run exits non-zero
#   5. the instances removed from the main cluster; the small clusters deleted (make cluster-fleet-delete)
# Exits non-zero on any FAIL. The fleet's small clusters are made at the start and deleted at the end.
# shellcheck disable=SC2317,SC2329 # the step functions run indirectly, through step()
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${DAPRKIT_CACHE:-$HOME/.cache/daprkit}
export PATH=$ROOT/.venv/bin:$CACHE/bin:$CACHE/bin/kube:$PATH
export ANSIBLE_COLLECTIONS_PATH=$ROOT/collections ANSIBLE_CONFIG=$ROOT/ansible.cfg
INVENTORY=$ROOT/inventory/fleet
MAIN=kind-daprkit DOWN=kind-daprkit-fleet-2 DOWN_NODE=daprkit-fleet-2-control-plane
CLUSTERS=(kind-daprkit kind-daprkit-fleet-1 kind-daprkit-fleet-2)
NAMESPACE=dapr-fleet
WORK=$(mktemp -d /tmp/dk-fleet.XXXXXX)
main_kubectl() { KUBECONFIG=$CACHE/kind/kubeconfig kubectl "$@"; }
cleanup() {
  [[ ${TEST_FLEET_KEEP:-0} == 1 ]] && { echo "kept $WORK and the fleet's clusters"; return; }
  main_kubectl delete namespace "$NAMESPACE" --ignore-not-found --wait=false >/dev/null 2>&1
  (cd "$ROOT" && make --no-print-directory cluster-fleet-delete >/dev/null 2>&1)
  rm -rf "$WORK"
}
trap cleanup EXIT

results=() failed=0
step() { # step <name> <function>: one PASS/FAIL line with the wall time
  local name=$1 start rc
  start=$(date +%s)
  echo "---- $name"
  "$2"; rc=$?
  local took=$(( $(date +%s) - start ))
  if [[ $rc == 0 ]]; then results+=("PASS  $name (${took}s)"); echo "PASS  $name (${took}s)"
  else results+=("FAIL  $name (${took}s)"); echo "FAIL  $name (${took}s)"; failed=1; fi
}
fail() { echo "  FAIL: $*" >&2; return 1; }
show_log() { echo "  --- last lines of $1:" >&2; tail -n "${2:-30}" "$1" | sed 's/^/  | /' >&2; }

# run <log> <ansible-playbook args...>: from the checkout, over the fleet inventory; prints and keeps its rc
run() {
  local log=$1; shift
  (cd "$ROOT" && ansible-playbook -i "$INVENTORY" "$@") >"$log" 2>&1
  RC=$?
  echo "  ansible-playbook $* -> rc=$RC"
}
# recap <log> <host>: "changed failed" of a host from the play recap
recap() {
  sed -nE "s/^$2 +: ok=[0-9]+ +changed=([0-9]+) +unreachable=[0-9]+ +failed=([0-9]+).*/\1 \2/p" "$1" | tail -1
}
# summary_line <log> <host>: the host's line of the run's summary (playbooks/summary.yml)
summary_line() { grep -oE "\"$2: [^\"]*\"" "$1" | tail -1; }
# every cluster: rc 0, failed=0, and changed as expected (changed: at least one change; unchanged: none)
all_ok() {
  local log=$1 expect=$2 host counts changed failures
  [[ $RC == 0 ]] || { show_log "$log"; fail "rc=$RC"; return; }
  for host in "${CLUSTERS[@]}"; do
    counts=$(recap "$log" "$host")
    read -r changed failures <<<"$counts"
    echo "  $host: changed=$changed failed=$failures | $(summary_line "$log" "$host")"
    [[ -n $counts && $failures == 0 ]] || { show_log "$log"; fail "$host did not converge"; return; }
    if [[ $expect == changed ]]; then [[ $changed -gt 0 ]] || fail "$host: expected a change" || return
    else [[ $changed == 0 ]] || { show_log "$log" 60; fail "$host: expected changed=0, got $changed"; return; }; fi
    summary_line "$log" "$host" | grep -q "converged: 2 instance(s) present, 2 ready" ||
      fail "$host: its summary line does not say both instances converged and ready" || return
  done
}

step_fleet_up() {
  (cd "$ROOT" && make --no-print-directory cluster-fleet) >"$WORK/cluster-fleet.log" 2>&1 ||
    { show_log "$WORK/cluster-fleet.log"; return 1; }
  grep -h "fleet members up" "$WORK/cluster-fleet.log" | sed 's/^/  /'
}

step_converge() {
  run "$WORK/converge.log" site.yml --forks 3
  all_ok "$WORK/converge.log" changed
}

step_rerun() {
  run "$WORK/rerun.log" site.yml --forks 3
  all_ok "$WORK/rerun.log" unchanged || return
  run "$WORK/check.log" site.yml --forks 3 --check
  all_ok "$WORK/check.log" unchanged
}

step_info() {
  local log=$WORK/info.log rows
  run "$log" playbooks/info.yml --forks 3
  [[ $RC == 0 ]] || { show_log "$log"; fail "rc=$RC"; return; }
  # the table's lines, as the debug task prints them
  grep -oE '"(cluster|kind-daprkit[^ ]*) +\|[^"]*"' "$log" | tr -d '"' | sed 's/^/  /' | tee "$WORK/table.txt"
  rows=$(grep -cE "^  kind-daprkit[^ ]* +\| $NAMESPACE/(edge|central) " "$WORK/table.txt")
  [[ $rows == 6 ]] || fail "expected 6 instance lines (3 clusters x 2 instances), got $rows" || return
  # every instance Ready (ready == desired, not 0) with the current trust anchors
  awk -F' [|] ' -v ns="$NAMESPACE/" 'index($2, ns) {
      split($5, r, "/")
      if (r[1] != r[2] || r[1] == 0 || $7 !~ /^current/) { print "  not ready or stale: " $0; bad = 1 } }
    END { exit bad }' "$WORK/table.txt" || fail "an instance is not Ready or its trust anchors are not current"
}

step_one_down() {
  local log=$WORK/down.log host counts changed failures args
  docker stop "$DOWN_NODE" >/dev/null || fail "could not stop $DOWN_NODE" || return
  # a change to every instance, so the clusters that are up have something to converge
  printf '%s\n' "dapr_shared_instances:" \
    "  - {app_id: edge, namespace: $NAMESPACE, strategy: daemonset, log_level: debug}" \
    "  - {app_id: central, namespace: $NAMESPACE, strategy: deployment, replicas: 1, log_level: debug}" \
    >"$WORK/changed.yml"
  run "$log" site.yml --forks 3 -e "@$WORK/changed.yml"
  [[ $RC != 0 ]] || { show_log "$log"; fail "the run exited 0 with $DOWN down"; return; }
  for host in "${CLUSTERS[@]}"; do
    counts=$(recap "$log" "$host")
    read -r changed failures <<<"$counts"
    echo "  $host: changed=$changed failed=$failures | $(summary_line "$log" "$host")"
    if [[ $host == "$DOWN" ]]; then
      [[ $failures -gt 0 ]] || fail "the recap does not count $DOWN as failed" || return
      summary_line "$log" "$host" | grep -q "FAILED in the control plane" ||
        fail "the summary does not name $DOWN's failure and its cause" || return
    else
      [[ $failures == 0 && $changed -gt 0 ]] ||
        { show_log "$log"; fail "$host did not converge to the change"; return; }
      summary_line "$log" "$host" | grep -q "converged: 2 instance(s) present, 2 ready, 2 changed" ||
        fail "$host: its summary line does not say both instances changed" || return
    fi
  done
  # the clusters that were up run the change for real
  args=$(main_kubectl -n "$NAMESPACE" get daemonset edge-dapr-shared \
    -o jsonpath='{.spec.template.spec.containers[0].args}')
  [[ $args == *'"debug"'* ]] || fail "the main cluster's DaemonSet does not run the new log level: $args"
}

step_remove() {
  run "$WORK/remove.log" playbooks/uninstall.yml --limit "$MAIN" -e dapr_uninstall_control_plane=false
  [[ $RC == 0 ]] || { show_log "$WORK/remove.log"; fail "rc=$RC"; return; }
  main_kubectl delete namespace "$NAMESPACE" --timeout=120s >/dev/null
}

start=$(date +%s)
step "the fleet: the main cluster and two single-node clusters (make cluster-fleet)" step_fleet_up
if [[ $failed == 0 ]]; then
  step "site.yml converges the three clusters side by side (forks 3)" step_converge
  step "re-run and check mode: changed=0 on every cluster" step_rerun
  step "playbooks/info.yml: one table over the fleet" step_info
  step "one cluster's API unreachable: the others converge, the failed one is named" step_one_down
  step "the fleet's instances removed from the main cluster" step_remove
fi
echo "fleet checks ($(( $(date +%s) - start ))s):"
printf '  %s\n' "${results[@]}"
exit $failed
