#!/usr/bin/env bash
# After `ansible-playbook site.yml`: print every instance's endpoints and make real calls through each, from a
# throwaway un-annotated pod that sends the instance's API token (read from its Secret by the kubelet):
# metadata, then, where the instance has the demo's Redis components (tools/demo/demo-objects.yaml), a state
# save and get, and a publish whose event must reach the demo app (delivered by `percluster`, the instance with
# an app channel). Exits 1 when a call fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export KUBECONFIG=${K8S_AUTH_KUBECONFIG:-$HOME/.cache/daprkit/kind/kubeconfig}
DEMO_NAMESPACE=dapr-shared-demo
tests/e2e/load-image.sh >/dev/null
failed=0
while read -r ns app; do
  # names and endpoints as the collection derives them (the filter daprkit.dapr.shared_names)
  read -r http grpc token_secret < <(PYTHONPATH=collections python3 -c '
import sys
from ansible_collections.daprkit.dapr.plugins.filter.shared import shared_names
n = shared_names(sys.argv[1], namespace=sys.argv[2])
print(n["DAPR_HTTP_ENDPOINT"], n["DAPR_GRPC_ENDPOINT"], n["api_token"])' "$app" "$ns")
  echo "== ${ns}/${app}: DAPR_HTTP_ENDPOINT=${http} DAPR_GRPC_ENDPOINT=${grpc}"
  events=""
  [ "$ns" != "$DEMO_NAMESPACE" ] || events="http://demo-app.${DEMO_NAMESPACE}.svc.cluster.local:8080/events"
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
          import json, os, sys, time, uuid, urllib.request as u
          base, events = '${http}', '${events}'
          head = {'dapr-api-token': os.environ.get('DAPR_API_TOKEN', ''), 'Content-Type': 'application/json'}
          def call(path, body=None):
              data = None if body is None else json.dumps(body).encode()
              with u.urlopen(u.Request(base + path, data=data, headers=head), timeout=10) as r:
                  return r.status, r.read()
          m = json.loads(call('/v1.0/metadata')[1])
          names = [c['name'] for c in m.get('components', [])]
          print('GET /v1.0/metadata -> app id', m['id'], '| runtime', m.get('runtimeVersion'), '| components', names)
          if 'statestore' not in names or 'pubsub' not in names:
              print('no demo components here (tools/demo/demo-objects.yaml): state and publish skipped')
              sys.exit(0)
          key, value = 'demo-' + uuid.uuid4().hex[:6], uuid.uuid4().hex
          saved = call('/v1.0/state/statestore', [{'key': key, 'value': value}])[0]
          got = json.loads(call('/v1.0/state/statestore/' + key)[1])
          print('POST /v1.0/state/statestore', key, '->', saved, '| GET ->', got, '| same:', got == value)
          event = uuid.uuid4().hex
          print('POST /v1.0/publish/pubsub/demo ->', call('/v1.0/publish/pubsub/demo', {'id': event})[0])
          seen, deadline = None, time.time() + 30
          while events and not seen and time.time() < deadline:
              seen = next((e for e in json.load(u.urlopen(events, timeout=5)) if e.get('id') == event), None)
              time.sleep(0.5)
          if seen:
              print('event', event, 'reached the app: pod', seen['received_by']['pod'],
                    'from daprd', seen['delivered_by'])
          sys.exit(0 if got == value and (seen or not events) else 1)
YAML
  if ! kubectl -n "$ns" wait --for=jsonpath='{.status.phase}'=Succeeded "pod/$pod" --timeout=90s >/dev/null; then
    echo "FAILED: the calls through ${ns}/${app} did not succeed" >&2; failed=1
  fi
  kubectl -n "$ns" logs "$pod"
  kubectl -n "$ns" delete pod "$pod" --wait=false >/dev/null
done < <(kubectl get services -A -l app.kubernetes.io/managed-by=daprkit.dapr,app.kubernetes.io/name=dapr-shared \
  -o jsonpath='{range .items[*]}{.metadata.namespace} {.metadata.labels.app\.kubernetes\.io/instance}{"\n"}{end}')
exit "$failed"
