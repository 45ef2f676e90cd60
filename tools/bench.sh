#!/usr/bin/env bash
# Side-by-side timings in ONE run on the kind cluster (absolute times drift between machines; the
# ratios are what we track). The demo inventory's two instances (one per node, one per cluster with 2
# replicas), installed three ways, one after the other on the same cluster:
#   ours, method manifests:   first install, no-op re-run, --check --diff
#   ours, method helm:        the same (the official chart through kubernetes.core.helm + our post-renderer)
#   the official chart alone: helm upgrade --install --wait, first install and no-op (when it is mirrored)
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A T  # seconds per label
now() { date +%s.%N; }
run() {  # label, command...
  local label=$1; shift
  local t0 t1 out rss_file; rss_file=$(mktemp)
  # peak RSS (KiB) of the largest process of the run: ansible-playbook or one of its workers
  t0=$(now)
  out=$(/usr/bin/time -f '%M' -o "$rss_file" "$@" 2>&1) || {
    echo "$out" | tail -20; echo "bench step '$label' failed" >&2; exit 1; }
  t1=$(now)
  local secs; secs=$(echo "$t1 - $t0" | bc)
  local recap; recap=$(echo "$out" | grep -Eo 'changed=[0-9]+' | tail -1 || true)
  local rss; rss=$(( $(tail -1 "$rss_file") / 1024 )); rm -f "$rss_file"
  printf '%-34s %8.1f s  peak %4d MiB  %s\n' "$label" "$secs" "$rss" "$recap"
  T[$label]=$secs
}
ratio() { printf '%s: %.2f\n' "$1" "$(echo "${T[$2]} / ${T[$3]}" | bc -l)"; }
. tools/cluster/versions.env
make --no-print-directory cluster >/dev/null
export KUBECONFIG=${K8S_AUTH_KUBECONFIG:-$HOME/.cache/daprkit/kind/kubeconfig}
ansible-playbook playbooks/control_plane.yml >/dev/null
uninstall() { ansible-playbook playbooks/uninstall.yml -e dapr_uninstall_control_plane=false "$@" >/dev/null; }
uninstall
echo "bench: $(date -Is) on $(nproc) cores"
for method in manifests helm; do
  if [[ $method == helm ]] && ! tools/cluster/shared-chart-present; then
    echo "method helm NOT measured: the official dapr-shared chart is not mirrored on this machine"; continue
  fi
  run "${method}_first_install" ansible-playbook playbooks/shared.yml -e "dapr_shared_method=$method"
  run "${method}_noop" ansible-playbook playbooks/shared.yml -e "dapr_shared_method=$method"
  run "${method}_check" ansible-playbook playbooks/shared.yml -e "dapr_shared_method=$method" --check --diff
  ratio "ratio noop/first install ($method)" "${method}_noop" "${method}_first_install"
  uninstall -e "dapr_shared_method=$method"
done

if tools/cluster/shared-chart-present; then
  # The official chart as its README says to use it, made runnable here: the local mirror, our daprd
  # image, Sentry/operator on 443 (upstream's defaults of port 80 never get an identity), pull IfNotPresent.
  ns=bench-chart
  kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  values=$(mktemp --suffix=.yaml)
  cat >"$values" <<YAML
shared:
  daprd:
    image: {registry: ${DAPR_REGISTRY}, name: daprd, tag: "${DAPR_VERSION#v}", pullPolicy: IfNotPresent}
    mtls: {enabled: true}
  initContainer:
    image: {pullPolicy: IfNotPresent}
  controlPlane:
    operator: {port: 443}
    sentry: {port: 443}
YAML
  chart="oci://${REGISTRY_HOST}:${REGISTRY_PORT}/charts/dapr-shared-chart"
  upstream=$(mktemp --suffix=.sh)  # the two instances, each one release (a file: /usr/bin/time runs programs)
  cat >"$upstream" <<SH
set -e
helm upgrade --install pernode $chart --version $DAPR_SHARED_CHART_VERSION --plain-http -n $ns -f $values \\
  --set shared.appId=pernode --set shared.strategy=daemonset --wait --timeout 300s
helm upgrade --install percluster $chart --version $DAPR_SHARED_CHART_VERSION --plain-http -n $ns -f $values \\
  --set shared.appId=percluster --set shared.strategy=deployment --set shared.deployment.replicas=2 \\
  --wait --timeout 300s
SH
  run chart_first_install bash "$upstream"
  run chart_noop bash "$upstream"
  for m in manifests helm; do
    [[ -n ${T[${m}_first_install]:-} ]] || continue
    ratio "ratio install ours($m)/helm" "${m}_first_install" chart_first_install
    ratio "ratio noop ours($m)/helm" "${m}_noop" chart_noop
  done
  # the chart's pre-delete hook pulls rancher/kubectl from Docker Hub: offline it can only go without hooks
  helm uninstall pernode percluster -n "$ns" --no-hooks --wait >/dev/null || true
  kubectl delete namespace "$ns" --wait=false >/dev/null
  rm -f "$values" "$upstream"
else
  echo "helm upgrade --install of the official chart NOT measured: the chart is not mirrored on this machine"
fi
