#!/usr/bin/env bash
# Container images from our own binaries and Debian base images (classic builder, no registry).
# Each image is built only if `docker image inspect` does not find it; images that the node
# image preloads are also saved as tarballs under $IMG_DIR.
. "$(dirname "$0")/common.sh"
K="$BIN_DIR/kube"; A="$BIN_DIR/addons"; D="$BIN_DIR/dapr-$DAPR_VERSION"

# build_image STEP IMAGE DOCKERFILE-TEXT FILE...: context = the given files (copied flat)
build_image() {
  local step="$1" image="$2" dockerfile="$3"; shift 3
  # inputs key = Dockerfile + input files; stored as an image label, so a changed script or
  # binary rebuilds the image even though its tag stays the same
  local key; key=$( { printf '%s' "$dockerfile"; cat "$@" 2>/dev/null; } | sha256sum | cut -c1-32)
  if [ "$(docker image inspect -f '{{index .Config.Labels "io.daprkit.inputs"}}' "$image" 2>/dev/null)" = "$key" ]; then
    log "$image: present"; return
  fi
  dockerfile="$dockerfile
LABEL io.daprkit.inputs=$key"
  local ctx="$WORK_DIR/ctx-$step"
  rm -rf "$ctx"; mkdir -p "$ctx"
  for f in "$@"; do [ -e "$f" ] || die "step image-$step: missing input $f (build it first)"; cp -a "$f" "$ctx/"; done
  printf '%s\n' "$dockerfile" >"$ctx/Dockerfile"
  export ctx image
  bi() { docker build --network=none -t "$image" "$ctx"; }
  run_step "image-$step" bi
  rm -rf "$ctx"
}

save_image() {  # save IMAGE to $IMG_DIR/<sanitized>.tar unless the tarball is newer than the image
  local image="$1" f
  f="$IMG_DIR/$(echo "$image" | tr '/:' '__').tar"
  local id; id=$(docker image inspect -f '{{.Id}}' "$image")
  if [ -f "$f" ] && [ "$(cat "$f.id" 2>/dev/null)" = "$id" ]; then return; fi
  docker save -o "$f.tmp" "$image" && mv "$f.tmp" "$f" && echo "$id" >"$f.id"
  log "saved $image -> $f"
}

# --- Kubernetes control plane (binaries on PATH, as kubeadm's static pods call them by name)
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  var=$(echo "$c" | tr 'a-z-' 'A-Z_')_IMAGE
  build_image "$c" "${!var}" "FROM $BASE_MINIMAL_IMAGE
COPY $c /usr/local/bin/$c
ENTRYPOINT [\"/usr/local/bin/$c\"]" "$K/$c"
done

# --- kube-proxy and the CNI: need iptables in the node's mode (iptables-wrapper) + conntrack
NETFIX='RUN for t in iptables ip6tables; do ln -sf /usr/sbin/iptables-wrapper /etc/alternatives/$t; done'
build_image kube-proxy "$KUBE_PROXY_IMAGE" "FROM $BASE_NET_IMAGE
COPY iptables-wrapper /usr/sbin/iptables-wrapper
$NETFIX
COPY kube-proxy /usr/local/bin/kube-proxy
ENTRYPOINT [\"/usr/local/bin/kube-proxy\"]" "$K/kube-proxy" "$CLUSTER_DIR/images/net/iptables-wrapper"
build_image cni "$CNI_IMAGE" "FROM $BASE_NET_IMAGE
COPY iptables-wrapper /usr/sbin/iptables-wrapper
$NETFIX
COPY kubectl /usr/local/bin/kubectl
COPY daprkit-cni.sh /usr/local/bin/daprkit-cni
ENTRYPOINT [\"/usr/local/bin/daprkit-cni\"]" "$K/kubectl" "$CLUSTER_DIR/images/net/iptables-wrapper" "$CLUSTER_DIR/images/cni/daprkit-cni.sh"
build_image netpol "$NETPOL_IMAGE" "FROM $BASE_NETPY_IMAGE
COPY iptables-wrapper /usr/sbin/iptables-wrapper
$NETFIX
COPY daprkit_netpol.py /usr/local/bin/daprkit_netpol.py" "$CLUSTER_DIR/images/net/iptables-wrapper" "$CLUSTER_DIR/images/netpol/daprkit_netpol.py"

# --- etcd, coredns (entrypoint: kubeadm passes only -conf), pause
build_image etcd "$ETCD_IMAGE" "FROM $BASE_MINIMAL_IMAGE
COPY etcd /usr/local/bin/
CMD [\"/usr/local/bin/etcd\"]" "$A/etcd"
build_image coredns "$COREDNS_IMAGE" "FROM $BASE_MINIMAL_IMAGE
COPY coredns /coredns
EXPOSE 53 53/udp
ENTRYPOINT [\"/coredns\"]" "$A/coredns"
build_image pause "$PAUSE_IMAGE" "FROM scratch
COPY pause /pause
USER 65535:65535
ENTRYPOINT [\"/pause\"]" "$A/pause"

# --- default StorageClass: local-path-provisioner + a helper image with sh
build_image local-path-provisioner "$LOCAL_PATH_PROVISIONER_IMAGE" "FROM $BASE_MINIMAL_IMAGE
COPY local-path-provisioner /usr/local/bin/local-path-provisioner
ENTRYPOINT [\"/usr/local/bin/local-path-provisioner\"]" "$A/local-path-provisioner"
build_image local-path-helper "$LOCAL_PATH_HELPER_IMAGE" "FROM $BASE_MINIMAL_IMAGE
CMD [\"/bin/sh\"]"

# --- Dapr: like upstream distroless static: no entrypoint, user 65532, CA bundle, /tmp
if [ "${1:-}" != "--no-dapr" ]; then
  DISTROLESS_FROM="FROM $BASE_MINIMAL_IMAGE AS rootfs
RUN mkdir -p /out/etc/ssl/certs /out/tmp /out/home/nonroot && chmod 1777 /out/tmp \\
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ \\
 && printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >/out/etc/passwd \\
 && printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >/out/etc/group \\
 && chown 65532:65532 /out/home/nonroot
FROM scratch
COPY --from=rootfs /out/ /"
  build_image daprd "$DAPRD_IMAGE" "$DISTROLESS_FROM
COPY daprd /daprd
USER 65532:65532" "$D/daprd"
  build_image dapr "$DAPR_IMAGE" "$DISTROLESS_FROM
COPY daprd operator sentry placement injector scheduler /
USER 65532:65532" "$D/daprd" "$D/operator" "$D/sentry" "$D/placement" "$D/injector" "$D/scheduler"
  for img in $DAPR_COMPONENT_IMAGES; do
    b="${img##*/}"; b="${b%%:*}"
    build_image "dapr-$b" "$img" "$DISTROLESS_FROM
COPY $b /$b
USER 65532:65532" "$D/$b"
  done
fi

# tarballs preloaded into the kind node image
for i in $KUBE_APISERVER_IMAGE $KUBE_CONTROLLER_MANAGER_IMAGE $KUBE_SCHEDULER_IMAGE $KUBE_PROXY_IMAGE \
         $ETCD_IMAGE $COREDNS_IMAGE $PAUSE_IMAGE $CNI_IMAGE $LOCAL_PATH_PROVISIONER_IMAGE $LOCAL_PATH_HELPER_IMAGE; do
  save_image "$i"
done
