#!/usr/bin/env bash
# Host CLIs (kind, helm) and the binaries of the add-on images (etcd, coredns, pause,
# local-path-provisioner) from the Go module proxy.
. "$(dirname "$0")/common.sh"

# go_mod_build STEP MODULE@VERSION PKG OUT LDFLAGS: build PKG inside the downloaded module dir
# (so its replace directives apply).
go_mod_build() {
  local step="$1" modver="$2" pkg="$3" outf="$4" ldf="${5:-}"
  local key="$modver $pkg $ldf"
  if [ -x "$outf" ] && stamp_ok "$step" "$key"; then log "$step: cached"; return; fi
  b() {
    set -e
    cd "$WORK_DIR"
    dir=$(GOFLAGS=-mod=mod go mod download -json "$modver" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [ -n "$dir" ] || { echo "cannot download $modver"; exit 1; }
    cd "$dir"
    go build -trimpath -ldflags "-s -w $ldf" -o "$outf.tmp" "$pkg"
    mv "$outf.tmp" "$outf"
  }
  export step modver pkg outf ldf
  run_step "$step" b
  stamp_set "$step" "$key"
}

go_mod_build kind "sigs.k8s.io/kind@$KIND_VERSION" . "$BIN_DIR/kind"
go_mod_build helm "helm.sh/helm/v3@$HELM_VERSION" ./cmd/helm "$BIN_DIR/helm" \
  "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
mkdir -p "$BIN_DIR/addons"
go_mod_build etcd "go.etcd.io/etcd/v3@$ETCD_MODULE_VERSION" . "$BIN_DIR/addons/etcd"
go_mod_build etcdctl "go.etcd.io/etcd/v3@$ETCD_MODULE_VERSION" ./etcdctl "$BIN_DIR/addons/etcdctl"
go_mod_build coredns "github.com/coredns/coredns@$COREDNS_MODULE_VERSION" . "$BIN_DIR/addons/coredns"
go_mod_build local-path-provisioner "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION" . \
  "$BIN_DIR/addons/local-path-provisioner" "-X main.VERSION=$LOCAL_PATH_PROVISIONER_VERSION"

src_key=$(cat "$CLUSTER_DIR"/pause/*.go | sha256sum | cut -c1-16)
if ! { [ -x "$BIN_DIR/addons/pause" ] && stamp_ok pause "$src_key"; }; then
  p() { cd "$CLUSTER_DIR/pause" && go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/addons/pause" .; }
  run_step pause p; stamp_set pause "$src_key"
fi
kind version; helm version --short
