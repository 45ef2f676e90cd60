#!/usr/bin/env bash
# Container images from our own binaries and Debian base images (classic builder, no registry),
# each from its Dockerfile in tools/cluster/images/<name>/ (build_image, common.sh: rebuilt when
# its build context changes). Images that the node image preloads are also saved as tarballs
# under $IMG_DIR.
#   build-images.sh              every image
#   build-images.sh --no-dapr    all but the Dapr images
#   build-images.sh --dapr-only  the Dapr images only (DAPR_RELEASE=previous: the older release)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
K="$BIN_DIR/kube"; A="$BIN_DIR/addons"; D="$BIN_DIR/dapr-$DAPR_VERSION"

save_image() {  # save IMAGE to $IMG_DIR/<sanitized>.tar unless the tarball holds this image id
  local image="$1" f id
  f="$IMG_DIR/$(echo "$image" | tr '/:' '__').tar"
  id=$(docker image inspect -f '{{.Id}}' "$image")
  if [ -f "$f" ] && [ "$(cat "$f.id" 2>/dev/null)" = "$id" ]; then return; fi
  docker save -o "$f.tmp" "$image" && mv "$f.tmp" "$f" && echo "$id" >"$f.id"
  log "saved $image -> $f"
}

cluster_images() {
  local c var
  # Kubernetes control plane (binaries on PATH, as kubeadm's static pods call them by name)
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    var=$(echo "$c" | tr 'a-z-' 'A-Z_')_IMAGE
    build_image "$c" "${!var}" static-binary --build-arg "BASE_IMAGE=$BASE_MINIMAL_IMAGE" \
      --build-arg "BINARY=$c" "$K/$c"
  done
  # kube-proxy, the CNI and the NetworkPolicy enforcer: iptables in the node's mode + conntrack
  build_image net "$NET_IMAGE" net --build-arg "BASE_IMAGE=$BASE_NET_IMAGE"
  build_image netpy "$NETPY_IMAGE" net --build-arg "BASE_IMAGE=$BASE_NETPY_IMAGE"
  build_image kube-proxy "$KUBE_PROXY_IMAGE" static-binary --build-arg "BASE_IMAGE=$NET_IMAGE" \
    --build-arg BINARY=kube-proxy "$K/kube-proxy"
  build_image cni "$CNI_IMAGE" cni --build-arg "BASE_IMAGE=$NET_IMAGE" "$K/kubectl"
  build_image netpol "$NETPOL_IMAGE" netpol --build-arg "BASE_IMAGE=$NETPY_IMAGE"
  # etcd, coredns, pause
  build_image etcd "$ETCD_IMAGE" etcd --build-arg "BASE_IMAGE=$BASE_MINIMAL_IMAGE" "$A/etcd"
  build_image coredns "$COREDNS_IMAGE" coredns --build-arg "BASE_IMAGE=$BASE_MINIMAL_IMAGE" "$A/coredns"
  build_image pause "$PAUSE_IMAGE" pause "$A/pause"
  # default StorageClass: local-path-provisioner + a helper image with sh
  build_image local-path-provisioner "$LOCAL_PATH_PROVISIONER_IMAGE" static-binary \
    --build-arg "BASE_IMAGE=$BASE_MINIMAL_IMAGE" --build-arg BINARY=local-path-provisioner "$A/local-path-provisioner"
  build_image local-path-helper "$LOCAL_PATH_HELPER_IMAGE" local-path-helper \
    --build-arg "BASE_IMAGE=$BASE_MINIMAL_IMAGE"
  # the in-cluster Redis of the end-to-end checks and make demo (loaded into the nodes by cluster-up.sh, not
  # preloaded: a new Redis then needs no new node image)
  build_image redis "$REDIS_IMAGE" redis --build-arg "BASE_IMAGE=$BASE_REDIS_IMAGE" \
    --build-arg "REDIS_VERSION=$REDIS_VERSION"
  # tarballs preloaded into the kind node image
  for c in $KUBE_APISERVER_IMAGE $KUBE_CONTROLLER_MANAGER_IMAGE $KUBE_SCHEDULER_IMAGE $KUBE_PROXY_IMAGE \
           $ETCD_IMAGE $COREDNS_IMAGE $PAUSE_IMAGE $CNI_IMAGE $LOCAL_PATH_PROVISIONER_IMAGE $LOCAL_PATH_HELPER_IMAGE; do
    save_image "$c"
  done
}

# Dapr: daprd alone, all six binaries, and one image per control-plane service (the chart's names)
dapr_images() {
  local img b base=(--build-arg "BASE_IMAGE=$BASE_MINIMAL_IMAGE")
  build_image "daprd-$DAPR_VERSION" "$DAPRD_IMAGE" dapr "${base[@]}" "$D/daprd"
  if [ "${DAPR_RELEASE:-current}" = current ]; then
    build_image "daprd-$DAPR_VERSION-$DAPRD_SECOND_COMMIT" "$DAPRD_SECOND_IMAGE" dapr "${base[@]}" \
      "$D-$DAPRD_SECOND_COMMIT/daprd"
  fi
  build_image "dapr-$DAPR_VERSION" "$DAPR_IMAGE" dapr "${base[@]}" \
    "$D/daprd" "$D/operator" "$D/sentry" "$D/placement" "$D/injector" "$D/scheduler"
  for img in $DAPR_COMPONENT_IMAGES; do
    b="${img##*/}"; b="${b%%:*}"
    build_image "dapr-$b-$DAPR_VERSION" "$img" dapr "${base[@]}" "$D/$b"
  done
}

main() {
  case "${1:-}" in
    --no-dapr) cluster_images;;
    --dapr-only) dapr_images;;
    "") cluster_images; dapr_images;;
    *) die "usage: build-images.sh [--no-dapr|--dapr-only]";;
  esac
}
main "$@"
