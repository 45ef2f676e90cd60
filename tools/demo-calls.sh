#!/usr/bin/env bash
# After `ansible-playbook site.yml`: print every instance's endpoints and make one real call through each,
# from a throwaway un-annotated pod that sends the instance's API token (read from its Secret by the kubelet).
set -euo pipefail
cd "$(dirname "$0")/.."
export KUBECONFIG=${K8S_AUTH_KUBECONFIG:-$HOME/.cache/daprkit/kind/kubeconfig}
tests/e2e/load-image.sh >/dev/null
kubectl get services -A -l app.kubernetes.io/managed-by=daprkit.dapr,app.kubernetes.io/name=dapr-shared \
  -o jsonpath='{range .items[*]}{.metadata.namespace} {.metadata.labels.app\.kubernetes\.io/instance}{"\n"}{end}' |
while read -r ns app; do
  # names and endpoints as the collection derives them (the filter daprkit.dapr.shared_names)
  read -r http grpc token_secret < <(PYTHONPATH=collections python3 -c '
import sys
from ansible_collections.daprkit.dapr.plugins.filter.shared import shared_names
n = shared_names(sys.argv[1], namespace=sys.argv[2])
print(n["DAPR_HTTP_ENDPOINT"], n["DAPR_GRPC_ENDPOINT"], n["api_token"])' "$app" "$ns")
  echo "== ${ns}/${app}: DAPR_HTTP_ENDPOINT=${http} DAPR_GRPC_ENDPOINT=${grpc}"
  pod="demo-call-${app}"
  kubectl -n "$ns" delete pod "$pod" --ignore-not-found >/dev/null
  kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: ${pod}}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: call
      image: daprkit/e2e-client:0.1.0
      imagePullPolicy: Never
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      env:
        - {name: DAPR_API_TOKEN, valueFrom: {secretKeyRef: {name: ${token_secret}, key: token, optional: true}}}
      command:
        - python3
        - -c
        - |
          import json, os, urllib.request as u
          r = u.Request('${http}/v1.0/metadata', headers={'dapr-api-token': os.environ.get('DAPR_API_TOKEN', '')})
          m = json.load(u.urlopen(r, timeout=10))
          print('GET /v1.0/metadata -> app id', m['id'], '| runtime', m.get('runtimeVersion'),
                '| components', [c['name'] for c in m.get('components', [])])
YAML
  kubectl -n "$ns" wait --for=jsonpath='{.status.phase}'=Succeeded "pod/$pod" --timeout=90s >/dev/null || true
  kubectl -n "$ns" logs "$pod"
  kubectl -n "$ns" delete pod "$pod" --wait=false >/dev/null
done
