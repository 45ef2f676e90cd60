#!/usr/bin/env bash
# Create (or confirm) the kind cluster: 1 control-plane + 2 workers, load the Dapr images,
# daprkit-netpol and Redis into every node, wait until all nodes are Ready and CoreDNS, the CNI and the
# NetworkPolicy enforcer run, then run Redis (namespace dapr-redis, Service redis:6379) until it is Ready.
# Images mirrored with `make cluster-mirror` (kept in ~/.cache/daprkit/mirror) are loaded into every
# node too, so they survive `make cluster-delete cluster` (lib/mirror.sh --nodes; skips present ones).
# The older Dapr release of the upgrade tests (make images-previous) is loaded too when it is built.
# Fast path: cluster exists, nodes Ready, images loaded, netpol and Redis current -> nothing to do.
# A fleet member (lib/cluster-fleet.sh): DAPRKIT_CLUSTER_NODES=1 DAPRKIT_CLUSTER_LEAN=1 makes a single-node cluster
# with only the Dapr control plane's and daprd's images, without daprkit-netpol, Redis or the mirrored images.
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
export KUBECONFIG="$KUBECONFIG_PATH"
NODES_WANTED=${DAPRKIT_CLUSTER_NODES:-3}
LEAN=${DAPRKIT_CLUSTER_LEAN:-0}

cluster_exists() { kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; }
all_ready() {
  local out
  out=$(kubectl get nodes --no-headers 2>/dev/null) || return 1
  [ "$(echo "$out" | grep -c ' Ready ')" -eq "$NODES_WANTED" ]
}
node_containers() { docker ps -a --filter "label=io.x-k8s.kind.cluster=$CLUSTER_NAME" --format '{{.Names}}'; }

LOADED_IMAGES="$DAPR_IMAGE $DAPRD_IMAGE $DAPRD_SECOND_IMAGE $DAPR_COMPONENT_IMAGES $NETPOL_IMAGE $REDIS_IMAGE"
PREVIOUS_IMAGES="$DAPR_PREVIOUS_IMAGE $DAPRD_PREVIOUS_IMAGE $DAPR_PREVIOUS_COMPONENT_IMAGES"
# shellcheck disable=SC2086 # a list of image names
if docker image inspect $PREVIOUS_IMAGES >/dev/null 2>&1; then LOADED_IMAGES="$LOADED_IMAGES $PREVIOUS_IMAGES"; fi
[ "$LEAN" = 1 ] && LOADED_IMAGES="$DAPR_IMAGE $DAPRD_IMAGE"
# Images not preloaded by the node image: loaded into a node when /kind/daprkit-images/<name>
# there holds the docker image id
image_marker() { echo "/kind/daprkit-images/$(echo "$1" | tr '/:' '__')"; }
images_loaded() {  # one docker image inspect, one docker exec per node
  local n img want got markers=()
  # shellcheck disable=SC2086 # a list of image names
  want=$(docker image inspect -f '{{.Id}}' $LOADED_IMAGES 2>/dev/null) || return 1
  for img in $LOADED_IMAGES; do markers+=("$(image_marker "$img")"); done
  for n in $(node_containers); do
    # shellcheck disable=SC2016 # expanded by the node's sh
    got=$(docker exec "$n" sh -c 'for f; do cat "$f" 2>/dev/null || echo missing; echo; done' sh "${markers[@]}" |
      grep -v '^$') || return 1
    [ "$got" = "$want" ] || return 1
  done
}
load_images() {
  local img id n need="" tar="$WORK_DIR/load-images-$CLUSTER_NAME.tar"
  for img in $LOADED_IMAGES; do
    image_exists "$img" || die "step load-images: image $img missing (make images)"
    id=$(docker image inspect -f '{{.Id}}' "$img")
    for n in $(node_containers); do
      [ "$(docker exec "$n" cat "$(image_marker "$img")" 2>/dev/null)" = "$id" ] || { need="$need $img"; break; }
    done
  done
  [ -n "$need" ] || { echo "all images already in every node"; return 0; }
  # one archive (shared layers once), imported into all nodes in parallel with the command
  # `kind load` uses (kind load would also call crictl, which we cannot build)
  # shellcheck disable=SC2086 # $need: a list of image names
  docker save -o "$tar" $need
  local pids=""
  for n in $(node_containers); do
    ( docker exec -i "$n" ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs - \
        <"$tar" >/dev/null &&
      for img in $need; do
        id=$(docker image inspect -f '{{.Id}}' "$img")
        docker exec "$n" sh -c "mkdir -p /kind/daprkit-images && echo '$id' > '$(image_marker "$img")'"
      done && echo "loaded into $n:$need" ) &
    pids="$pids $!"
  done
  local rc=0; for p in $pids; do wait "$p" || rc=1; done
  rm -f "$tar"
  return $rc
}

# daprkit-netpol: the pod template carries the image id, so a rebuilt image (same tag) rolls out
netpol_image_id() { docker image inspect -f '{{.Id}}' "$NETPOL_IMAGE" | cut -d: -f2 | cut -c1-16; }
netpol_current() {
  local got
  local jp='{.spec.template.metadata.annotations.daprkit\.io/image-id}'
  jp="$jp {.status.numberReady}/{.status.desiredNumberScheduled}"
  got=$(kubectl -n kube-system get daemonset daprkit-netpol -o jsonpath="$jp" 2>/dev/null) || return 1
  [ "$got" = "$(netpol_image_id) $NODES_WANTED/$NODES_WANTED" ]
}
apply_netpol() {
  sed -e "s#__NETPOL_IMAGE__#$NETPOL_IMAGE#" -e "s#__NETPOL_IMAGE_ID__#$(netpol_image_id)#" \
    "$CLUSTER_DIR/images/netpol/daprkit-netpol.yaml" | kubectl apply -f -
  kubectl -n kube-system rollout status daemonset/daprkit-netpol --timeout=180s
}

# Redis for the end-to-end components and make demo; like daprkit-netpol, the pod template carries the image id
redis_image_id() { docker image inspect -f '{{.Id}}' "$REDIS_IMAGE" | cut -d: -f2 | cut -c1-16; }
redis_current() {
  local got
  local jp='{.spec.template.metadata.annotations.daprkit\.io/image-id} {.status.readyReplicas}'
  got=$(kubectl -n dapr-redis get deployment redis -o jsonpath="$jp" 2>/dev/null) || return 1
  [ "$got" = "$(redis_image_id) 1" ]
}
apply_redis() {
  sed -e "s#__REDIS_IMAGE__#$REDIS_IMAGE#" -e "s#__REDIS_IMAGE_ID__#$(redis_image_id)#" \
    "$CLUSTER_DIR/images/redis/dapr-redis.yaml" | kubectl apply -f -
  kubectl -n dapr-redis rollout status deployment/redis --timeout=180s
  # Ready means PONG (the readiness probe); say it here too, from inside the pod
  kubectl -n dapr-redis exec deploy/redis -- redis-cli ping
}

create_cluster() {  # create_cluster KIND_CONFIG
  kind create cluster --name "$CLUSTER_NAME" --image "$KIND_NODE_IMAGE" --config "$1" \
    --kubeconfig "$KUBECONFIG_PATH" --wait 0s -v 1
}
wait_ready() {
  for _ in $(seq 180); do
    if all_ready; then break; fi
    sleep 2
  done
  kubectl get nodes -o wide
  all_ready
  kubectl -n kube-system rollout status daemonset/daprkit-cni --timeout=180s
  kubectl -n kube-system rollout status daemonset/kube-proxy --timeout=180s
  kubectl -n kube-system rollout status deployment/coredns --timeout=180s
  kubectl get pods -A -o wide
}
main() {
  local t0 stopped want n cfg
  t0=$(date +%s)
  if cluster_exists && [ "$(node_containers | wc -l)" -eq "$NODES_WANTED" ]; then
    # restart stopped node containers (e.g. after a dockerd restart)
    stopped=$(docker ps -a --filter "label=io.x-k8s.kind.cluster=$CLUSTER_NAME" --filter status=exited \
      --format '{{.Names}}')
    # shellcheck disable=SC2086 # $stopped: a list of container names
    [ -z "$stopped" ] || { log "starting stopped nodes: $stopped"; docker start $stopped >/dev/null; }
    [ -s "$KUBECONFIG_PATH" ] ||
      kind export kubeconfig --name "$CLUSTER_NAME" --kubeconfig "$KUBECONFIG_PATH" >/dev/null 2>&1
    want=$(docker image inspect -f '{{.Id}}' "$KIND_NODE_IMAGE" 2>/dev/null || true)
    for n in $(node_containers); do
      if [ "$(docker inspect -f '{{.Image}}' "$n")" != "$want" ]; then
        log "WARNING: node $n runs an older $KIND_NODE_IMAGE; to use the new one: make cluster-delete cluster"; break
      fi
    done
    if all_ready && images_loaded && { [ "$LEAN" = 1 ] || { netpol_current && redis_current; }; }; then
      [ "$LEAN" = 1 ] || "$CLUSTER_DIR/lib/mirror.sh" --nodes
      log "cluster $CLUSTER_NAME is up: $NODES_WANTED nodes Ready, images loaded, NetworkPolicy enforced," \
        "Redis Ready" \
        "(checked in $(( $(date +%s)-t0 ))s). KUBECONFIG=$KUBECONFIG_PATH"
      return 0
    fi
  elif cluster_exists; then
    log "cluster $CLUSTER_NAME exists with the wrong node count: recreating"
    kind delete cluster --name "$CLUSTER_NAME" --kubeconfig "$KUBECONFIG_PATH"
  fi

  if ! cluster_exists; then
    cfg="$WORK_DIR/kind-config-$CLUSTER_NAME.yaml"
    printf '%s\n' "kind: Cluster" "apiVersion: kind.x-k8s.io/v1alpha4" "name: $CLUSTER_NAME" "nodes:" \
      "- role: control-plane" >"$cfg"
    # kind takes the control plane's NoSchedule taint off a cluster without workers
    for _ in $(seq 2 "$NODES_WANTED"); do echo "- role: worker" >>"$cfg"; done
    run_step kind-create create_cluster "$cfg"
  fi
  run_step load-images load_images
  [ "$LEAN" = 1 ] || run_step mirror-images "$CLUSTER_DIR/lib/mirror.sh" --nodes
  run_step wait-ready wait_ready
  if [ "$LEAN" != 1 ]; then
    run_step netpol apply_netpol
    run_step redis apply_redis
  fi
  log "cluster $CLUSTER_NAME ready in $(( $(date +%s)-t0 ))s. KUBECONFIG=$KUBECONFIG_PATH"
}
script_main "$@"
