#!/usr/bin/env bash
# make demo, before the instances: the demo namespace's Redis state store and pubsub and the app that receives
# the demo's events (tools/demo/demo-objects.yaml). Needs the Dapr CRDs (the control plane) and the cluster's
# Redis (make cluster). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export KUBECONFIG=${K8S_AUTH_KUBECONFIG:-$HOME/.cache/daprkit/kind/kubeconfig}
kubectl -n dapr-redis rollout status deployment/redis --timeout=60s >/dev/null ||
  { echo "demo-app: no Ready Redis in namespace dapr-redis: run make cluster" >&2; exit 1; }
tests/e2e/load-image.sh
kubectl apply -f tools/demo/demo-objects.yaml
# the app image keeps its tag when app.py changes: the image id in the pod template rolls a rebuilt one out
id=$(docker image inspect -f '{{.Id}}' daprkit/e2e-client:0.1.0 | cut -d: -f2 | cut -c1-16)
kubectl -n dapr-shared-demo patch deployment demo-app --type merge \
  -p "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"daprkit.io/image-id\":\"$id\"}}}}}" >/dev/null
kubectl -n dapr-shared-demo rollout status deployment/demo-app --timeout=120s
