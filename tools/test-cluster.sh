#!/usr/bin/env bash
# The cluster tier: molecule scenarios on the kind cluster of `make cluster`.
# Never fakes a pass: what cannot run here is announced with one loud line and a non-hidden summary.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
loud() { printf '\n!!!!!!!! %s !!!!!!!!\n\n' "$*"; }
# dockerd and the chart registry do not outlive a session: start them (both idempotent).
make --no-print-directory cluster-engine >/dev/null 2>&1 || true
. tools/cluster/versions.env
if ! tools/cluster/images-present >/dev/null 2>&1; then
  # the long builds are the node image and Dapr; when only small images are missing, build them
  if docker image inspect "$KIND_NODE_IMAGE" "$DAPR_IMAGE" >/dev/null 2>&1; then
    make --no-print-directory images || { echo "building the missing small images failed" >&2; exit 1; }
  else
    loud "CLUSTER TIER DID NOT RUN: the offline cluster images are absent on this machine" \
      "(build them with 'make images', about 75 min cold)"
    exit 0
  fi
fi
make --no-print-directory cluster-registry >/dev/null || { echo "the local chart registry did not start" >&2; exit 1; }
make --no-print-directory cluster || { echo "make cluster failed" >&2; exit 1; }
tests/e2e/build-image.sh || exit 1
chart_ok=0
tools/cluster/shared-chart-present && chart_ok=1
# the upgrade scenario starts from the older Dapr release (make images-previous)
previous_ok=0
docker image inspect "$DAPR_PREVIOUS_IMAGE" "$DAPRD_PREVIOUS_IMAGE" >/dev/null 2>&1 && previous_ok=1
# CI gives the whole `make test` 90 minutes: the cluster tier starts no scenario it cannot finish in its share
# (DAPRKIT_TIER_BUDGET seconds from here; a scenario takes up to about SCENARIO_MAX), and says which it left out
budget=${DAPRKIT_TIER_BUDGET:-4500} scenario_max=${DAPRKIT_SCENARIO_MAX:-700} tier_start=$(date +%s)
out_of_time() { [ $(( $(date +%s) - tier_start + scenario_max )) -gt "$budget" ]; }
failed=() ran=() skipped=() skipped_previous=() skipped_time=()
for scenario in "$@"; do
  if out_of_time; then skipped_time+=("$scenario"); continue; fi
  # a scenario with a helm instance needs the official chart in the local registry
  if grep -q 'method: helm' "molecule/$scenario/vars.yml" && [[ $chart_ok == 0 ]]; then
    skipped+=("$scenario"); continue
  fi
  if grep -q 'scenario_dapr_previous' "molecule/$scenario/vars.yml" && [[ $previous_ok == 0 ]]; then
    skipped_previous+=("$scenario"); continue
  fi
  start=$(date +%s)
  # our sequence has no destroy step, so molecule's state would keep "prepared" from an earlier
  # (possibly interrupted) run and skip prepare: start every scenario from a clean state
  molecule reset -s "$scenario" >/dev/null 2>&1 || true
  if molecule test -s "$scenario"; then ran+=("$scenario ($(( $(date +%s) - start ))s)"); else failed+=("$scenario"); fi
done
start=$(date +%s)
if out_of_time; then skipped_time+=("test-awx")
elif tests/awx/run.sh; then ran+=("test-awx ($(( $(date +%s) - start ))s)"); else failed+=("test-awx"); fi
echo "cluster tier: passed: ${ran[*]:-none}"
[ ${#skipped[@]} -gt 0 ] && loud "CLUSTER TIER PARTIAL: ${skipped[*]} did NOT run: the official dapr-shared chart" \
  "is not in the local registry: mirror it with make cluster-mirror ARTIFACTS=... (see the README)"
[ ${#skipped_previous[@]} -gt 0 ] && loud "CLUSTER TIER PARTIAL: ${skipped_previous[*]} did NOT run: the older" \
  "Dapr release $DAPR_PREVIOUS_VERSION is not built on this machine: make images-previous"
[ ${#skipped_time[@]} -gt 0 ] && loud "CLUSTER TIER PARTIAL: ${skipped_time[*]} did NOT run: the tier's time budget" \
  "(DAPRKIT_TIER_BUDGET=${budget}s) was used up; run them with molecule test -s <scenario> / make test-awx"
[ ${#failed[@]} -eq 0 ] || { echo "cluster tier: FAILED: ${failed[*]}" >&2; exit 1; }
