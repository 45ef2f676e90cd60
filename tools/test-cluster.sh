#!/usr/bin/env bash
# The cluster tier: molecule scenarios on the kind cluster of `make cluster`.
# Never fakes a pass: what cannot run here is announced with one loud line and a non-hidden summary.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
loud() { printf '\n!!!!!!!! %s !!!!!!!!\n\n' "$*"; }
# every entry's output is kept in its log, and a failure's cause is printed at the very end: CI shows the tail
log_dir=${DAPRKIT_CACHE:-$HOME/.cache/daprkit}/logs/cluster-tier
mkdir -p "$log_dir" && rm -f "$log_dir"/*.log
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
# The control plane once, before the lanes: each scenario's prepare runs the role too (a no-op then), and two
# first installs side by side would collide in Helm ("another operation is in progress"). Helm's default driver,
# as the prepare installs it (a scenario may run with HELM_DRIVER=configmap).
# With HELM=4, from .venv-newest: kubernetes.core.helm runs Helm 4 from 6.4 on, as the scenarios' prepare does.
newest_venv=$PWD/.venv-newest cp_venv=$PWD/.venv
[[ ${HELM:-3} == 4 ]] && cp_venv=$newest_venv
PATH=$cp_venv/bin:$PATH HELM_DRIVER=secret ansible-playbook playbooks/control_plane.yml \
  >"$log_dir/control-plane.log" 2>&1 ||
  { echo "cluster tier: the control plane did not install (log $log_dir/control-plane.log):" >&2
    tail -n 40 "$log_dir/control-plane.log" >&2; exit 1; }
tests/e2e/build-image.sh || exit 1
chart_ok=0
tools/cluster/shared-chart-present && chart_ok=1
# the upgrade scenario starts from the older Dapr release (make images-previous)
previous_ok=0
docker image inspect "$DAPR_PREVIOUS_IMAGE" "$DAPRD_PREVIOUS_IMAGE" >/dev/null 2>&1 && previous_ok=1
# CI gives the whole `make test` 90 minutes: the cluster tier starts no scenario it cannot finish in its share
# (DAPRKIT_RUN_BUDGET seconds, 75 minutes, from the start of the whole `make` run, DAPRKIT_RUN_START, which the
# Makefile sets; an entry takes up to about DAPRKIT_SCENARIO_MAX seconds), and says which it left out
budget=${DAPRKIT_RUN_BUDGET:-4500} scenario_max=${DAPRKIT_SCENARIO_MAX:-600} run_start=${DAPRKIT_RUN_START:-$(date +%s)}
out_of_time() { [ $(( $(date +%s) - run_start + scenario_max )) -gt "$budget" ]; }
# <scenario>@helm4: the scenario again with Helm 4 (the factory's helm4 first on PATH), from .venv-newest: the newest
# ansible-core and kubernetes.core (kubernetes.core runs Helm 4 from 6.4 on, .venv's is older); @helm4-configmap:
# the same with Helm's releases kept in ConfigMaps (HELM_DRIVER=configmap). Checked here, not trusted: a variant
# that would run with the wrong helm or venv does not run, and says why.
helm4_path=${DAPRKIT_CACHE:-$HOME/.cache/daprkit}/helm4-path
helm4_missing=""
if ! PATH=$helm4_path:$PATH helm version --short 2>/dev/null | grep -q '^v4\.'; then
  helm4_missing="helm 4 is not built on this machine ($helm4_path/helm): make images builds it"
elif ! [ -x "$newest_venv/bin/molecule" ]; then
  helm4_missing="$newest_venv has no molecule: make venv VENV=.venv-newest installs it"
fi
# HELM=4 (make test-cluster HELM=4): every scenario with Helm 4, as its @helm4 variant (once each)
# the first failed task of a log that was not ignored (from its TASK line: Ansible's error and the failure) and the
# last play recap; colours and molecule's box around a playbook's output removed
failure_cause() {
  sed -E 's/\x1b\[[0-9;]*m//g; s/^ *│ ?//' "$1" | cut -c1-1500 | awk '
    { line[NR] = $0 }
    /^PLAY RECAP/ { recap = NR }
    END {
      for (i = 1; i <= NR; i++) {
        if (line[i] ~ /^TASK \[/) task = i
        if (line[i] !~ /^(fatal|failed): / || !task) continue
        ignored = 0
        for (j = i; j <= NR && j < i + 80 && (j == i || line[j] !~ /^(TASK|PLAY) /); j++)
          if (line[j] ~ /\.\.\.ignoring/) ignored = 1
        if (ignored) continue
        for (j = task; j <= NR && j < task + 60 && (j <= i || line[j] !~ /^(TASK|PLAY) /); j++) print line[j]
        shown = j; break
      }
      if (!shown) { for (j = (NR > 40 ? NR - 40 : 1); j <= NR; j++) print line[j]; exit }  # no failed task: the tail
      for (j = recap; recap && recap >= shown && j < recap + 6 && j <= NR; j++) print line[j]
    }' | head -80
}
failed=() ran=() skipped=() skipped_previous=() skipped_time=() skipped_helm4=()
declare -A seen=()
. tools/cluster/lib/tier-lanes.sh
# the environment of an entry's variant, in run_env (empty: the scenario as it is)
variant_env() {
  local scenario=${1%@*} variant=${1#"${1%@*}"}
  variant=${variant#@} run_env=()
  case $variant in
    "") ;;
    helm4 | helm4-configmap)
      run_env=(PATH="$newest_venv/bin:$helm4_path:$PATH" DAPRKIT_SCENARIO_HELM=4)
      [[ $variant == helm4-configmap ]] && run_env+=(HELM_DRIVER=configmap) ;;
    *) echo "cluster tier: $1: unknown variant @$variant (known: @helm4, @helm4-configmap)" >&2; exit 2 ;;
  esac
}
queue=()
for entry in "$@"; do
  scenario=${entry%@*}
  [[ $entry != test-* && $entry != *@* && ${HELM:-3} == 4 ]] && entry=$scenario@helm4
  [[ -n ${seen[$entry]:-} ]] && continue
  seen[$entry]=1
  variant_env "$entry"  # an unknown variant stops the tier here, before any entry starts
  if [[ $entry == *@helm4* && -n $helm4_missing ]]; then skipped_helm4+=("$entry"); continue; fi
  if [[ $entry != test-* ]]; then
    # a scenario with a helm instance needs the official chart in the local registry
    if grep -q 'method: helm' "molecule/$scenario/vars.yml" && [[ $chart_ok == 0 ]]; then
      skipped+=("$entry"); continue
    fi
    if grep -q 'scenario_dapr_previous' "molecule/$scenario/vars.yml" && [[ $previous_ok == 0 ]]; then
      skipped_previous+=("$entry"); continue
    fi
  fi
  queue+=("$entry")
done
# start_entry ENTRY: the entry in the background (tier-lanes.sh waits for it); out of time, it does not start
start_entry() {
  local entry=$1 scenario=${1%@*}
  if out_of_time; then skipped_time+=("$entry"); return 1; fi
  variant_env "$entry"
  echo "cluster tier: $(date +%H:%M:%S) start $entry (log $log_dir/$entry.log)"
  if [[ $entry == test-* ]]; then
    # test-<name>: a check of its own on the cluster, tests/<name>/run.sh (make test-<name>)
    "tests/${entry#test-}/run.sh" >"$log_dir/$entry.log" 2>&1 &
  else
    # our sequence has no destroy step, so molecule's state would keep "prepared" from an earlier
    # (possibly interrupted) run and skip prepare: start every scenario from a clean state
    { env "${run_env[@]}" molecule reset -s "$scenario" >/dev/null 2>&1
      env "${run_env[@]}" molecule test -s "$scenario"; } >"$log_dir/$entry.log" 2>&1 &
  fi
}
entry_ended() { # ENTRY STATUS SECONDS
  if [[ $2 == 0 ]]; then ran+=("$1 (${3}s)"); echo "cluster tier: $(date +%H:%M:%S) PASS $1 (${3}s)"
  else failed+=("$1"); echo "cluster tier: $(date +%H:%M:%S) FAIL $1 (${3}s, log $log_dir/$1.log)"
  fi
}
run_lanes "${DAPRKIT_TIER_LANES:-2}" "${queue[@]}"
echo "cluster tier: passed: ${ran[*]:-none}"
[ ${#skipped[@]} -gt 0 ] && loud "CLUSTER TIER PARTIAL: ${skipped[*]} did NOT run: the official dapr-shared chart" \
  "is not in the local registry: mirror it with make cluster-mirror ARTIFACTS=... (see the README)"
[ ${#skipped_previous[@]} -gt 0 ] && loud "CLUSTER TIER PARTIAL: ${skipped_previous[*]} did NOT run: the older" \
  "Dapr release $DAPR_PREVIOUS_VERSION is not built on this machine: make images-previous"
[ ${#skipped_helm4[@]} -gt 0 ] && loud "CLUSTER TIER PARTIAL: ${skipped_helm4[*]} did NOT run (Helm 4): $helm4_missing"
[ ${#skipped_time[@]} -gt 0 ] && loud "CLUSTER TIER PARTIAL: ${skipped_time[*]} did NOT run: the run's time budget" \
  "(DAPRKIT_RUN_BUDGET=${budget}s since the make run started) was used up; run them with molecule test -s <scenario>" \
  "/ make test-<name>"
for entry in "${failed[@]}"; do
  echo "======== cause of the failure of $entry (whole log: $log_dir/$entry.log) ========"
  failure_cause "$log_dir/$entry.log"
done
[ ${#failed[@]} -eq 0 ] || { echo "cluster tier: FAILED: ${failed[*]}" >&2; exit 1; }
