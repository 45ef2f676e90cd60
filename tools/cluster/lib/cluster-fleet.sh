#!/usr/bin/env bash
# The fleet of the multi-cluster checks (tests/fleet/run.sh, make bench's fleet part): the main cluster of
# `make cluster` plus FLEET_SIZE-1 small single-node clusters daprkit-fleet-<n>, each with its own kubeconfig
# ($DAPRKIT_CACHE/kind-daprkit-fleet-<n>/kubeconfig), Dapr's images loaded, nothing else (lib/cluster-up.sh, lean).
# The members are made side by side. `--delete` deletes them (never the main cluster).
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
FLEET_SIZE=${DAPRKIT_FLEET_SIZE:-3}

member_names() { local n; for n in $(seq 2 "$FLEET_SIZE"); do echo "$CLUSTER_NAME-fleet-$((n - 1))"; done; }
member_kubeconfig() { echo "$DAPRKIT_CACHE/kind-$1/kubeconfig"; }

main() {
  local name pids=() rc=0 t0
  t0=$(date +%s)
  if [ "${1:-}" = --delete ]; then
    for name in $(member_names); do
      kind delete cluster --name "$name" --kubeconfig "$(member_kubeconfig "$name")"
    done
    return 0
  fi
  for name in $(member_names); do
    DAPRKIT_CLUSTER_NAME=$name KUBECONFIG_PATH=$(member_kubeconfig "$name") DAPRKIT_CLUSTER_NODES=1 \
      DAPRKIT_CLUSTER_LEAN=1 DAPRKIT_LOG_DIR="$LOG_DIR/$name" "$CLUSTER_DIR/lib/cluster-up.sh" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  [ "$rc" = 0 ] || die "a fleet member did not come up (logs: $LOG_DIR/$CLUSTER_NAME-fleet-*/)"
  log "fleet members up in $(( $(date +%s) - t0 ))s: $(member_names | tr '\n' ' ')(with $CLUSTER_NAME, make cluster)"
}
script_main "$@"
