#!/usr/bin/env bash
# Side-by-side timings in ONE run on the kind cluster (absolute times drift between machines; the
# ratios are what we track): first install of the inventory's instances, a no-op re-run of site.yml,
# a check-mode run, and (when the chart is available) helm upgrade --install of the same instances.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A T  # seconds per label
now() { date +%s.%N; }
run() {  # label, command...
  local label=$1; shift
  local t0 t1 out rss_file; rss_file=$(mktemp)
  # peak RSS (KiB) of the largest process of the run: ansible-playbook or one of its workers
  t0=$(now); out=$(/usr/bin/time -f '%M' -o "$rss_file" "$@" 2>&1) || { echo "$out" | tail -20; echo "bench step '$label' failed" >&2; exit 1; }; t1=$(now)
  local secs; secs=$(echo "$t1 - $t0" | bc)
  local recap; recap=$(echo "$out" | grep -Eo 'changed=[0-9]+' | tail -1 || true)
  local rss; rss=$(( $(tail -1 "$rss_file") / 1024 )); rm -f "$rss_file"
  printf '%-34s %8.1f s  peak %4d MiB  %s\n' "$label" "$secs" "$rss" "$recap"
  T[$label]=$secs
}
make --no-print-directory cluster >/dev/null
ansible-playbook playbooks/control_plane.yml >/dev/null
ansible-playbook playbooks/uninstall.yml -e dapr_uninstall_control_plane=false >/dev/null
echo "bench: $(date -Is) on $(nproc) cores"
run first_install ansible-playbook site.yml
run noop_rerun ansible-playbook site.yml
run check_mode ansible-playbook site.yml --check --diff
printf 'ratio no-op / first install: %.2f\n' "$(echo "${T[noop_rerun]} / ${T[first_install]}" | bc -l)"
printf 'ratio check / first install: %.2f\n' "$(echo "${T[check_mode]} / ${T[first_install]}" | bc -l)"
if tools/cluster/shared-chart-present; then
  echo "helm comparison: see molecule helm_* scenarios"
else
  echo "helm upgrade --install comparison NOT measured: the official dapr-shared chart is not available on this machine"
fi
