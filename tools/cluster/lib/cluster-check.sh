#!/usr/bin/env bash
# make cluster-check: prove the kind cluster is real, then clean up after itself.
#  1. on each worker, a pod resolves kubernetes.default and reaches (HTTP) a Service whose only
#     endpoint runs on the OTHER worker;
#  2. the official Dapr control-plane chart installs from oci://localhost:<port>/charts/dapr with
#     plain helm (our images) and every control-plane pod becomes Ready; then it is uninstalled;
#  3. the Dapr Shared chart is not checked here (it comes from artifacts the user mirrors; the helm_*
#     molecule scenarios install it) and cluster-check says so loudly.
# Usage: cluster-check.sh [network] [dapr]   (default: both)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
export KUBECONFIG="$KUBECONFIG_PATH"
NS=daprkit-check
V="${DAPR_VERSION#v}"
# The control plane is cluster-wide (CRDs, webhooks, cluster roles): never touch someone else's.
DNS=daprkit-check-dapr; REL=daprkit-check

cleanup_net() { kubectl delete namespace "$NS" --ignore-not-found --wait=true >/dev/null 2>&1 || true; }

net_check() {  # net_check WORKER_A WORKER_B
  local a="$1" b="$2" pair c ph out other ep_node cl_node
  kubectl delete namespace "$NS" --ignore-not-found --wait=true
  kubectl create namespace "$NS"
  # servers: CoreDNS image (preloaded) serving its /health endpoint over HTTP on :8080
  kubectl -n "$NS" apply -f - <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: server-conf}
data:
  Corefile: |
    .:8053 {
        health :8080
        whoami
    }
YAML
  for pair in "a $a" "b $b"; do
    # shellcheck disable=SC2086 # split the pair into $1 $2
    set -- $pair
    kubectl -n "$NS" apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata: {name: server-$1, labels: {app: server-$1}}
spec:
  nodeName: $2
  containers:
  - name: server
    image: $COREDNS_IMAGE
    imagePullPolicy: Never
    args: ["-conf", "/etc/coredns/Corefile"]
    ports: [{containerPort: 8080}]
    readinessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 2}
    volumeMounts: [{name: conf, mountPath: /etc/coredns}]
  volumes: [{name: conf, configMap: {name: server-conf}}]
---
apiVersion: v1
kind: Service
metadata: {name: server-$1}
spec:
  selector: {app: server-$1}
  ports: [{port: 80, targetPort: 8080}]
YAML
  done
  kubectl -n "$NS" wait --for=condition=Ready pod/server-a pod/server-b --timeout=120s
  # clients: on worker A talk to server-b (on B), on worker B talk to server-a (on A)
  for pair in "a $a b" "b $b a"; do
    # shellcheck disable=SC2086 # split the pair into $1 $2 $3
    set -- $pair
    kubectl -n "$NS" apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata: {name: client-$1}
spec:
  nodeName: $2
  restartPolicy: Never
  containers:
  - name: client
    image: $LOCAL_PATH_HELPER_IMAGE
    imagePullPolicy: Never
    command:
    - bash
    - -ec
    - |
      echo "client on \$(hostname) node $2"
      getent hosts kubernetes.default
      getent hosts kubernetes.default.svc.cluster.local
      exec 3<>/dev/tcp/server-$3.$NS.svc.cluster.local/80
      printf 'GET /health HTTP/1.0\r\nHost: server-$3\r\n\r\n' >&3
      timeout 10 cat <&3
YAML
  done
  for c in a b; do
    for _ in $(seq 60); do
      ph=$(kubectl -n "$NS" get pod "client-$c" -o jsonpath='{.status.phase}')
      if [ "$ph" = Succeeded ] || [ "$ph" = Failed ]; then break; fi
      sleep 2
    done
    out=$(kubectl -n "$NS" logs "client-$c")
    echo "--- client-$c ($ph):"; echo "$out"
    if [ "$c" = a ]; then other=b; else other=a; fi
    ep_node=$(kubectl -n "$NS" get endpointslices -l "kubernetes.io/service-name=server-$other" \
      -o jsonpath='{.items[*].endpoints[*].nodeName}')
    cl_node=$(kubectl -n "$NS" get pod "client-$c" -o jsonpath='{.spec.nodeName}')
    echo "client-$c on $cl_node -> Service server-$other, only endpoint on $ep_node"
    { [ "$ph" = Succeeded ] && [ -n "$ep_node" ] && [ "$ep_node" != "$cl_node" ] &&
      echo "$out" | grep -q 'HTTP/1.[01] 200' && echo "$out" | grep -q 'kubernetes.default'; } ||
      { echo "FAIL: client-$c"; kubectl -n "$NS" describe pod "client-$c" | tail -20; exit 1; }
  done
}
dapr_check() {
  local n
  "$CLUSTER_DIR/lib/charts.sh"
  helm uninstall "$REL" -n "$DNS" --wait >/dev/null 2>&1 || true
  helm install "$REL" "$CHART_REPO/dapr" --version "$V" --plain-http \
    --namespace "$DNS" --create-namespace \
    --set global.registry="$DAPR_REGISTRY" --set global.tag="$V" \
    --wait --timeout 15m
  kubectl -n "$DNS" get pods -o wide
  kubectl -n "$DNS" wait --for=condition=Ready pod --all --timeout=300s
  kubectl -n "$DNS" get pods -o wide
  # every pod runs our image
  kubectl -n "$DNS" get pods -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.spec.containers[*].image}{"\n"}{end}'
  n=$(kubectl -n "$DNS" get pods --no-headers | wc -l)
  echo "control-plane pods Ready: $n"
  [ "$n" -ge 6 ]
}
cleanup_dapr() {
  helm uninstall "$REL" -n "$DNS" --wait --timeout 5m >/dev/null 2>&1 || true
  kubectl delete namespace "$DNS" --ignore-not-found --wait=true >/dev/null 2>&1 || true
  kubectl get crd -o name | grep '\.dapr\.io$' | xargs -r kubectl delete >/dev/null 2>&1 || true
}
main() {
  local parts=" ${*:-network dapr} " t0 workers
  t0=$(date +%s)
  [ -s "$KUBECONFIG" ] || die "no kubeconfig at $KUBECONFIG: run make cluster first"
  read -r -a workers <<<"$(kubectl get nodes -l '!node-role.kubernetes.io/control-plane' \
    -o jsonpath='{.items[*].metadata.name}')"
  [ "${#workers[@]}" -ge 2 ] || die "need 2 workers, found: ${workers[*]:-none}"
  if [[ "$parts" == *" network "* ]]; then
    trap cleanup_net EXIT
    run_step check-network net_check "${workers[0]}" "${workers[1]}"
    log "PASS network: DNS + cross-node Service from both workers"
    cleanup_net
    trap - EXIT
  fi
  [[ "$parts" == *" dapr "* ]] || return 0
  if kubectl get crd -o name | grep -q '\.dapr\.io$'; then
    [ -n "$(helm list -n "$DNS" -q 2>/dev/null)" ] ||
      die "step check-dapr-control-plane: Dapr CRDs already exist in this cluster (another install?) -" \
        "not touching them; run on a fresh cluster (make cluster-delete cluster)"
  fi
  trap cleanup_dapr EXIT
  run_step check-dapr-control-plane dapr_check
  log "PASS Dapr control plane $V from $CHART_REPO/dapr: every pod Ready"
  run_step check-cleanup cleanup_dapr
  trap - EXIT
  echo "######################################################################################" >&2
  log "DID NOT RUN: Dapr Shared chart check - the chart is not a Go module here; it comes from artifacts" \
    "mirrored with make cluster-mirror, and the helm_* molecule scenarios install it ($DAPR_SHARED_CHART_VERSION)"
  echo "######################################################################################" >&2
  log "cluster-check passed (network, control plane) in $(( $(date +%s)-t0 ))s; Dapr Shared chart not checked here"
}
script_main "$@"
