#!/usr/bin/env bash
# Assemble the kind node image offline (what `kind build node-image` does, minus the pulls):
#  1. docker build: Debian node base + kind v0.32.0's images/base/files (from the kind module
#     zip, used at build time only) + containerd config tuned for this host (daprkit-runc as the
#     runc binary, restrict_oom_score_adj) + kubeadm/kubelet/kubectl + /kind/version + manifests;
#  2. run it, start containerd inside, import every preloaded image tarball into namespace
#     k8s.io, stop containerd, docker commit with kind's entrypoint.
. "$(dirname "$0")/common.sh"
K="$BIN_DIR/kube"
# inputs key: recipe revision (bump RECIPE_REV when the recipe below changes the image), versions,
# CNI manifest, wrapper and kube binaries, preloaded image ids
RECIPE_REV=2
KEY=$(cat <(echo "rev=$RECIPE_REV") <(echo "$KIND_VERSION $KUBE_VERSION $CNI_IMAGE $PAUSE_IMAGE $LOCAL_PATH_PROVISIONER_IMAGE $LOCAL_PATH_HELPER_IMAGE") "$CLUSTER_DIR/images/cni/default-cni.yaml" \
        "$BIN_DIR/daprkit-runc" "$K/kubeadm" "$K/kubelet" "$K/kubectl" "$IMG_DIR"/*.tar.id 2>/dev/null | sha256sum | cut -c1-32)
if [ "$(docker image inspect -f '{{index .Config.Labels "io.daprkit.inputs"}}' "$KIND_NODE_IMAGE" 2>/dev/null)" = "$KEY" ]; then
  log "$KIND_NODE_IMAGE: present"; exit 0
fi

KIND_SRC="$GOMODCACHE/sigs.k8s.io/kind@$KIND_VERSION"
[ -d "$KIND_SRC/images/base/files" ] || (cd "$WORK_DIR" && GOFLAGS=-mod=mod go mod download "sigs.k8s.io/kind@$KIND_VERSION")
STAGE_IMAGE="daprkit/kind-node-stage:${KUBE_VERSION}"
ctx="$WORK_DIR/ctx-node"

prepare_ctx() {
  set -e
  rm -rf "$ctx"; mkdir -p "$ctx/manifests"
  cp -r "$KIND_SRC/images/base/files" "$ctx/files"; chmod -R u+w "$ctx/files"
  cp "$K/kubeadm" "$K/kubelet" "$K/kubectl" "$BIN_DIR/daprkit-runc" "$ctx/"
  # containerd: runc through the CAP_SYS_RESOURCE wrapper; clamp oom_score_adj (no CAP_SYS_RESOURCE)
  cfg="$ctx/files/etc/containerd/config.toml"
  sed -i 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$cfg"
  sed -i 's#^\(\s*\)SystemdCgroup = true#\1SystemdCgroup = true\n\1BinaryName = "/usr/local/bin/daprkit-runc"#' "$cfg"
  grep -q 'BinaryName = "/usr/local/bin/daprkit-runc"' "$cfg"; grep -q 'restrict_oom_score_adj = true' "$cfg"
  grep -q "sandbox_image = \"$PAUSE_IMAGE\"" "$cfg"
  # manifests: our CNI; kind's local-path storage manifest with our images
  sed "s#__CNI_IMAGE__#$CNI_IMAGE#" "$CLUSTER_DIR/images/cni/default-cni.yaml" >"$ctx/manifests/default-cni.yaml"
  awk '/^const defaultStorageManifest = `/{f=1;next} f&&/^`/{f=0} f' "$KIND_SRC/pkg/build/nodeimage/const_storage.go" \
    | sed -e "s#\` + storageProvisionerImage + \`#$LOCAL_PATH_PROVISIONER_IMAGE#" \
          -e "s#\` + storageHelperImage + \`#$LOCAL_PATH_HELPER_IMAGE#" >"$ctx/manifests/default-storage.yaml"
  grep -q "image: $LOCAL_PATH_PROVISIONER_IMAGE" "$ctx/manifests/default-storage.yaml"
  grep -q -- "- $LOCAL_PATH_HELPER_IMAGE" "$ctx/manifests/default-storage.yaml"
  ! grep -q '\`' "$ctx/manifests/default-storage.yaml"
  echo -n "$KUBE_VERSION" >"$ctx/version"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $BASE_NODE_IMAGE
COPY files/usr/local/bin/ /usr/local/bin/
COPY files/kind/ /kind/
COPY files/etc/ /etc/
RUN chmod 755 /kind /kind/bin /kind/bin/* /usr/local/bin/* \\
 && find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete \\
 && rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \\
          /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \\
          /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/* \\
 && echo "ReadKMsg=no" >> /etc/systemd/journald.conf \\
 && ln -sf /usr/lib/systemd/systemd /sbin/init \\
 && ln -sf /usr/bin/containerd /usr/local/bin/containerd \\
 && mkdir -p /opt/cni/bin /etc/kubernetes/manifests /kind/manifests \\
 && for p in /usr/lib/cni/*; do ln -sf "\$p" /opt/cni/bin/; done \\
 && systemctl enable kubelet.service containerd.service undo-mount-hacks.service \\
 && systemctl mask systemd-binfmt.service \\
 && ctr oci spec | jq '.hooks.createContainer[.hooks.createContainer| length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \\
    | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json
COPY daprkit-runc kubeadm kubelet kubectl /usr/bin/
RUN mv /usr/bin/daprkit-runc /usr/local/bin/daprkit-runc && chmod 755 /usr/local/bin/daprkit-runc /usr/bin/kube*
COPY version /kind/version
COPY manifests/ /kind/manifests/
LABEL io.daprkit.inputs=$KEY
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]
DOCKERFILE
}
run_step node-context prepare_ctx
stage() { docker build --network=none -t "$STAGE_IMAGE" "$ctx"; }
run_step node-stage-build stage

preload() {
  set -e
  name="daprkit-node-build-$$"
  # leftovers of an interrupted run
  docker ps -aq --filter name=daprkit-node-build- | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker run -d --name "$name" --privileged --network=none --entrypoint=sleep "$STAGE_IMAGE" infinity
  trap 'docker rm -f "$name" >/dev/null 2>&1 || true' EXIT
  docker exec "$name" bash -c 'nohup containerd >/tmp/containerd.log 2>&1 &'
  for i in $(seq 30); do docker exec "$name" ctr info >/dev/null 2>&1 && break; sleep 1; done
  docker exec "$name" ctr version
  for f in "$IMG_DIR"/*.tar; do
    echo "importing $f"
    docker exec -i "$name" ctr --namespace=k8s.io images import --all-platforms --no-unpack --digests - <"$f"
  done
  docker exec "$name" ctr --namespace=k8s.io images list -q
  docker exec "$name" pkill containerd
  for i in $(seq 30); do docker exec "$name" pgrep -x containerd >/dev/null || break; sleep 1; done
  docker exec "$name" rm -f /tmp/containerd.log
  docker commit --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' "$name" "$KIND_NODE_IMAGE"
}
run_step node-preload preload
# every image kubeadm and the manifests need must be in the node
docker run --rm --entrypoint=true "$KIND_NODE_IMAGE" >/dev/null
docker rmi "$STAGE_IMAGE" >/dev/null 2>&1 || true
rm -rf "$ctx"
log "$KIND_NODE_IMAGE: built"
