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
    # -mod=mod: a module zip may carry a partial vendor/ dir (local-path-provisioner does)
    go build -mod=mod -trimpath -ldflags "-s -w $ldf" -o "$outf.tmp" "$pkg"
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
# etcd: the root module's replace directives point at sibling modules that are not in its zip,
# so build the server and etcdctl modules from a generated wrapper module (all etcd modules at
# the same release; the server's main package is go.etcd.io/etcd/server/v3). etcdctl is not built:
# it needs go.etcd.io/etcd/etcdutl/v3@v3.5.24, whose checksum the filtered sumdb does not serve,
# and nothing in the cluster needs it (kubeadm's etcd probe is HTTP).
etcd_build() {
  local key="$ETCD_MODULE_VERSION"
  if [ -x "$A/etcd" ] && stamp_ok etcd "$key"; then log "etcd: cached"; return; fi
  eb() {
    set -e
    w="$WORK_DIR/etcd-wrapper"; mkdir -p "$w"; cd "$w"
    v="$ETCD_MODULE_VERSION"; v2="v2.305.${v##*.}"
    cat > go.mod <<MOD
module daprkit.local/etcd-wrapper

go 1.23

require (
	go.etcd.io/etcd/server/v3 $v
)

replace (
	go.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 $v
	go.etcd.io/etcd/client/pkg/v3 => go.etcd.io/etcd/client/pkg/v3 $v
	go.etcd.io/etcd/client/v2 => go.etcd.io/etcd/client/v2 $v2
	go.etcd.io/etcd/client/v3 => go.etcd.io/etcd/client/v3 $v
	go.etcd.io/etcd/pkg/v3 => go.etcd.io/etcd/pkg/v3 $v
	go.etcd.io/etcd/raft/v3 => go.etcd.io/etcd/raft/v3 $v
)
MOD
    printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "go.etcd.io/etcd/server/v3"\n)\n' > tools.go
    GOFLAGS=-mod=mod go mod tidy
    go build -trimpath -ldflags "-s -w" -o "$A/etcd" go.etcd.io/etcd/server/v3
    "$A/etcd" --version
  }
  run_step etcd eb
  stamp_set etcd "$key"
}
A="$BIN_DIR/addons"
etcd_build
go_mod_build coredns "github.com/coredns/coredns@$COREDNS_MODULE_VERSION" . "$BIN_DIR/addons/coredns"
go_mod_build local-path-provisioner "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION" . \
  "$BIN_DIR/addons/local-path-provisioner" "-X main.VERSION=$LOCAL_PATH_PROVISIONER_VERSION"

src_key=$(cat "$CLUSTER_DIR"/pause/*.go | sha256sum | cut -c1-16)
if ! { [ -x "$BIN_DIR/addons/pause" ] && stamp_ok pause "$src_key"; }; then
  p() { cd "$CLUSTER_DIR/pause" && go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/addons/pause" .; }
  run_step pause p; stamp_set pause "$src_key"
fi
kind version; helm version --short
