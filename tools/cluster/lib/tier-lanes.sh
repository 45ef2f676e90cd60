# shellcheck shell=bash
# The cluster tier's lanes (sourced by tools/test-cluster.sh; tools/cluster/tests/test_tier_lanes.sh proves the
# rules with entries that only sleep).
# run_lanes LANES ENTRY...: the entries in order, up to LANES at once. The caller defines
#   start_entry ENTRY   starts it in the background (its $! is the entry's process) or returns non-zero to skip it;
#   entry_ended ENTRY STATUS SECONDS   records how it ended.
# Rules:
#   - the scenarios work in namespaces of their own, so entries of different scenarios run side by side (the cluster
#     mostly waits on rollouts and bounded loads);
#   - two entries of one scenario (<scenario>, <scenario>@helm4, ...) never run at once: they share the scenario's
#     namespace and molecule's state of it (CI's first run in lanes paired helm_daemonset with helm_daemonset@helm4,
#     and each saw the other's release);
#   - what disrupts or loads the whole cluster runs alone: resilience (root rotation, drain, node stop), upgrade (the
#     control plane reinstalled) and test-fleet (two more clusters on the same cores). No later entry overtakes it.
declare -A entry_of=() started_at=()
runs_alone() { [[ $1 =~ ^(resilience|upgrade|test-fleet)$ ]]; }
scenario_running() {
  local running
  for running in "${entry_of[@]}"; do [[ ${running%@*} == "$1" ]] && return 0; done
  return 1
}
finish_one() { # wait for one running entry
  local pid status=0 entry
  wait -n -p pid || status=$?
  entry=${entry_of[$pid]}
  unset "entry_of[$pid]"
  entry_ended "$entry" "$status" $(( $(date +%s) - started_at[$entry] ))
}
# the index in lane_queue of the entry to start now, or -1
next_entry() {
  local i scenario
  for i in "${!lane_queue[@]}"; do
    scenario=${lane_queue[$i]%@*}
    if runs_alone "$scenario"; then (( ${#entry_of[@]} == 0 )) && echo "$i" && return; break; fi
    (( ${#entry_of[@]} < lanes )) || break
    scenario_running "$scenario" || { echo "$i"; return; }
  done
  echo -1
}
run_lanes() {
  local lanes=$1 pick entry
  shift
  lane_queue=("$@")
  while (( ${#lane_queue[@]} > 0 )); do
    pick=$(next_entry)
    if (( pick < 0 )); then finish_one; continue; fi
    entry=${lane_queue[$pick]}
    lane_queue=("${lane_queue[@]:0:pick}" "${lane_queue[@]:pick+1}")
    start_entry "$entry" || continue
    entry_of[$!]=$entry started_at[$entry]=$(date +%s)
    # an entry that runs alone has the cluster to itself until it ends
    runs_alone "${entry%@*}" && finish_one
  done
  while (( ${#entry_of[@]} > 0 )); do finish_one; done
}
