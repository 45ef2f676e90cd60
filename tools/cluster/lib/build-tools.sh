#!/usr/bin/env bash
# Host CLIs (kind, helm 3 and helm4) and the binaries of the add-on images (etcd, coredns, pause,
# local-path-provisioner) from the Go module proxy.
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
A="$BIN_DIR/addons"

# module_build MODULE@VERSION PKG OUT LDFLAGS: build PKG inside the downloaded module dir (so its
# replace directives apply)
module_build() {
  local modver="$1" pkg="$2" outf="$3" ldf="$4" dir
  cd "$WORK_DIR"
  dir=$(GOFLAGS=-mod=mod go mod download -json "$modver" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || die "cannot download $modver"
  cd "$dir"
  # -mod=mod: a module zip may carry a partial vendor/ dir (local-path-provisioner does)
  go build -mod=mod -trimpath -ldflags "-s -w $ldf" -o "$outf.tmp" "$pkg"
  mv "$outf.tmp" "$outf"
}

# go_mod_build STEP MODULE@VERSION PKG OUT [LDFLAGS]: module_build as step STEP, unless cached
go_mod_build() { build_once "$1" "$2 $3 ${5:-}" "$4" module_build "$2" "$3" "$4" "${5:-}"; }

# etcd: the root module's replace directives point at sibling modules that are not in its zip,
# so build the server module from a generated wrapper module (all etcd modules at the same
# release; the server's main package is go.etcd.io/etcd/server/v3). etcdctl is not built: it
# needs go.etcd.io/etcd/etcdutl/v3@v3.5.24, whose checksum the filtered sumdb does not serve,
# and nothing in the cluster needs it (kubeadm's etcd probe is HTTP).
etcd_wrapper_build() {
  local w="$WORK_DIR/etcd-wrapper" v="$ETCD_MODULE_VERSION" m
  local v2="v2.305.${v##*.}"
  mkdir -p "$w"; cd "$w"
  {
    printf 'module daprkit.local/etcd-wrapper\n\ngo 1.23\n\nrequire go.etcd.io/etcd/server/v3 %s\n\nreplace (\n' "$v"
    for m in api/v3 client/pkg/v3 client/v3 pkg/v3 raft/v3; do
      printf '\tgo.etcd.io/etcd/%s => go.etcd.io/etcd/%s %s\n' "$m" "$m" "$v"
    done
    printf '\tgo.etcd.io/etcd/client/v2 => go.etcd.io/etcd/client/v2 %s\n)\n' "$v2"
  } >go.mod
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "go.etcd.io/etcd/server/v3"\n)\n' >tools.go
  GOFLAGS=-mod=mod go mod tidy
  go build -trimpath -ldflags "-s -w" -o "$A/etcd" go.etcd.io/etcd/server/v3
  "$A/etcd" --version
}

pause_build() { cd "$CLUSTER_DIR/pause" && go build -trimpath -ldflags "-s -w" -o "$A/pause" .; }

main() {
  mkdir -p "$A"
  go_mod_build kind "sigs.k8s.io/kind@$KIND_VERSION" . "$BIN_DIR/kind"
  go_mod_build helm "helm.sh/helm/v3@$HELM_VERSION" ./cmd/helm "$BIN_DIR/helm" \
    "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  go_mod_build helm4 "helm.sh/helm/v4@$HELM4_VERSION" ./cmd/helm "$BIN_DIR/helm4" \
    "-X helm.sh/helm/v4/internal/version.version=$HELM4_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
  # HELM=4 (Makefile, tests/awx/run.sh) puts this directory first on PATH: helm4 answers as helm
  mkdir -p "$DAPRKIT_CACHE/helm4-path" && ln -sfn "$BIN_DIR/helm4" "$DAPRKIT_CACHE/helm4-path/helm"
  build_once etcd "$ETCD_MODULE_VERSION" "$A/etcd" etcd_wrapper_build
  go_mod_build coredns "github.com/coredns/coredns@$COREDNS_MODULE_VERSION" . "$A/coredns"
  go_mod_build local-path-provisioner "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION" . \
    "$A/local-path-provisioner" "-X main.VERSION=$LOCAL_PATH_PROVISIONER_VERSION"
  build_once pause "$(inputs_key -- "$CLUSTER_DIR/pause")" "$A/pause" pause_build
  kind version; helm version --short; helm4 version --short
}
script_main "$@"
