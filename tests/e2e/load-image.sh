#!/usr/bin/env bash
# Build (cached) the e2e client image and load it into the kind nodes when a node lacks it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
IMAGE=${E2E_IMAGE:-daprkit/e2e-client:0.1.0}
CLUSTER=${KIND_CLUSTER:-daprkit}
"$HERE/build-image.sh" >/dev/null
ID=$(docker image inspect -f '{{ .Id }}' "$IMAGE")
MARK="/kind/daprkit-images/$(echo "$IMAGE" | tr '/:' '__')"
loaded=""
for node in $(docker ps --filter "label=io.x-k8s.kind.cluster=$CLUSTER" --format '{{ .Names }}'); do
  [ "$(docker exec "$node" cat "$MARK" 2>/dev/null)" = "$ID" ] && continue
  # what `kind load` does, without the crictl it also calls (not buildable here)
  docker save "$IMAGE" | docker exec -i "$node" ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs - >/dev/null
  docker exec "$node" sh -c "mkdir -p /kind/daprkit-images && echo '$ID' > '$MARK'"
  loaded="$loaded $node"
done
if [ -n "$loaded" ]; then echo "$IMAGE loaded into$loaded"; else echo "$IMAGE present on every node"; fi
