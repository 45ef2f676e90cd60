#!/usr/bin/env bash
# Assemble the kind node image offline (what `kind build node-image` does, minus the pulls):
#  1. build_image of images/kind-node/Dockerfile: Debian node base + kind v0.32.0's
#     images/base/files (from the kind module zip, used at build time only) + containerd config
#     tuned for this host (daprkit-runc as the runc binary, restrict_oom_score_adj) +
#     kubeadm/kubelet/kubectl + /kind/version + manifests;
#  2. run it, start containerd inside, import every preloaded image tarball into namespace
#     k8s.io, stop containerd, docker commit with kind's entrypoint.
# The node image carries the key of stage 1's build context (which lists the preloaded images),
# so it is rebuilt when anything it is made of changes.
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
K="$BIN_DIR/kube"
KIND_SRC="$GOMODCACHE/sigs.k8s.io/kind@$KIND_VERSION"
STAGE_IMAGE="daprkit/kind-node-stage:${KUBE_VERSION}"
INPUTS="$WORK_DIR/node-inputs"   # the generated part of the build context

# the generated inputs: kind's files with our containerd config, manifests, version, preload list
prepare_inputs() {
  local cfg="$INPUTS/files/etc/containerd/config.toml" storage="$INPUTS/manifests/default-storage.yaml" f
  rm -rf "$INPUTS"; mkdir -p "$INPUTS/manifests"
  cp -r "$KIND_SRC/images/base/files" "$INPUTS/files"; chmod -R u+w "$INPUTS/files"
  # containerd: runc through the CAP_SYS_RESOURCE wrapper; clamp oom_score_adj (no CAP_SYS_RESOURCE)
  sed -i 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$cfg"
  sed -i 's#^\(\s*\)SystemdCgroup = true#\1SystemdCgroup = true\n\1BinaryName = "/usr/local/bin/daprkit-runc"#' "$cfg"
  grep -q 'BinaryName = "/usr/local/bin/daprkit-runc"' "$cfg"
  grep -q 'restrict_oom_score_adj = true' "$cfg"
  grep -q "sandbox_image = \"$PAUSE_IMAGE\"" "$cfg"
  # manifests: our CNI; kind's local-path storage manifest with our images
  sed "s#__CNI_IMAGE__#$CNI_IMAGE#" "$CLUSTER_DIR/images/cni/default-cni.yaml" >"$INPUTS/manifests/default-cni.yaml"
  awk '/^const defaultStorageManifest = `/{f=1;next} f&&/^`/{f=0} f' "$KIND_SRC/pkg/build/nodeimage/const_storage.go" \
    | sed -e "s#\` + storageProvisionerImage + \`#$LOCAL_PATH_PROVISIONER_IMAGE#" \
          -e "s#\` + storageHelperImage + \`#$LOCAL_PATH_HELPER_IMAGE#" >"$storage"
  grep -q "image: $LOCAL_PATH_PROVISIONER_IMAGE" "$storage"
  grep -q -- "- $LOCAL_PATH_HELPER_IMAGE" "$storage"
  if grep -q '`' "$storage"; then die "storage manifest: a Go template part is left in $storage"; fi
  echo -n "$KUBE_VERSION" >"$INPUTS/version"
  for f in "$IMG_DIR"/*.tar; do echo "$(basename "$f") $(cat "$f.id")"; done >"$INPUTS/preloaded-images"
}

BUILD_CONTAINER="daprkit-node-build-$$"   # global: the EXIT trap of preload runs after it returns
preload() {  # import the tarballs into a container of the stage image, commit it
  local name="$BUILD_CONTAINER" f
  # leftovers of an interrupted run
  docker ps -aq --filter name=daprkit-node-build- | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker run -d --name "$name" --privileged --network=none --entrypoint=sleep "$STAGE_IMAGE" infinity
  trap 'docker rm -f "$BUILD_CONTAINER" >/dev/null 2>&1 || true' EXIT
  docker exec "$name" bash -c 'nohup containerd >/tmp/containerd.log 2>&1 &'
  for _ in $(seq 30); do docker exec "$name" ctr info >/dev/null 2>&1 && break; sleep 1; done
  docker exec "$name" ctr version
  for f in "$IMG_DIR"/*.tar; do
    echo "importing $f"
    docker exec -i "$name" ctr --namespace=k8s.io images import --all-platforms --no-unpack --digests - <"$f"
  done
  docker exec "$name" ctr --namespace=k8s.io images list -q
  docker exec "$name" pkill containerd
  for _ in $(seq 30); do docker exec "$name" pgrep -x containerd >/dev/null || break; sleep 1; done
  docker exec "$name" rm -f /tmp/containerd.log
  docker commit --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' "$name" "$KIND_NODE_IMAGE"
}

main() {
  local context key
  [ -d "$KIND_SRC/images/base/files" ] ||
    (cd "$WORK_DIR" && GOFLAGS=-mod=mod go mod download "sigs.k8s.io/kind@$KIND_VERSION")
  prepare_inputs
  context=(kind-node --build-arg "BASE_IMAGE=$BASE_NODE_IMAGE" "$INPUTS/files" "$INPUTS/manifests"
           "$INPUTS/version" "$INPUTS/preloaded-images" "$BIN_DIR/daprkit-runc" "$K/kubeadm" "$K/kubelet" "$K/kubectl")
  key=$(build_context_key "${context[@]}") || die "node image: an input is missing (build it first)"
  if [ "$(image_key "$KIND_NODE_IMAGE")" = "$key" ]; then log "$KIND_NODE_IMAGE: present"; return; fi
  build_image node-stage "$STAGE_IMAGE" "${context[@]}"
  run_step node-preload preload
  # every image kubeadm and the manifests need must be in the node
  docker run --rm --entrypoint=true "$KIND_NODE_IMAGE" >/dev/null
  docker rmi "$STAGE_IMAGE" >/dev/null 2>&1 || true
  log "$KIND_NODE_IMAGE: built"
}
script_main "$@"
