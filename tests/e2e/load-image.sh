#!/usr/bin/env bash
# Build (cached) the e2e client image and load it into the kind nodes when a node lacks it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
IMAGE=${E2E_IMAGE:-daprkit/e2e-client:0.1.0}
KIND=${KIND:-$HOME/.cache/daprkit/bin/kind}
CLUSTER=${KIND_CLUSTER:-daprkit}
"$HERE/build-image.sh" >/dev/null
ID=$(docker image inspect -f '{{ .Id }}' "$IMAGE")
for node in $("$KIND" get nodes --name "$CLUSTER"); do
  if ! docker exec "$node" ctr -n k8s.io images ls -q 2>/dev/null | grep -qx "docker.io/$IMAGE"; then
    missing=1
  elif [ "$(docker exec "$node" ctr -n k8s.io images ls 2>/dev/null | awk -v i="docker.io/$IMAGE" '$1==i {print $3}')" != "$ID" ]; then
    missing=1
  fi
done
if [ "${missing:-0}" = 1 ]; then
  "$KIND" load docker-image "$IMAGE" --name "$CLUSTER" >/dev/null
  echo "$IMAGE loaded"
else
  echo "$IMAGE present on every node"
fi
