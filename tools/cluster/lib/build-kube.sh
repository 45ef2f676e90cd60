#!/usr/bin/env bash
# Build the Kubernetes binaries from the Go module proxy (no git, no registry).
# k8s.io/kubernetes replaces its staging modules with ./staging dirs, so `go install` of it fails:
# we generate a wrapper module that requires k8s.io/kubernetes and replaces every staging module
# with its published v0.x version, then build with version stamping via -ldflags -X.
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

BINS="kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy"
KEY="$KUBE_VERSION"
MOD="$WORK_DIR/kube-wrapper"

gen_module() {
  cd "$MOD"
  curl -fsS "https://proxy.golang.org/k8s.io/kubernetes/@v/${KUBE_VERSION}.mod" -o kubernetes.mod
  {
    printf 'module daprkit.local/kube-wrapper\n\ngo 1.24.0\n\nrequire k8s.io/kubernetes %s\n\n' "$KUBE_VERSION"
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' kubernetes.mod |
      awk -v v="$KUBE_STAGING_VERSION" '{print "replace " $1 " => " $1 " " v}'
  } > go.mod
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubeadm"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
  GOFLAGS=-mod=mod go mod tidy -e
  GOFLAGS=-mod=mod go mod download
}

version_ldflags() {  # -X flags that stamp the version into component-base and client-go
  local major minor p ld=""
  major="${KUBE_VERSION#v}"; major="${major%%.*}"
  minor="${KUBE_VERSION#v*.}"; minor="${minor%%.*}"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld="$ld -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.gitTreeState=clean"
    ld="$ld -X $p.buildDate=2000-01-01T00:00:00Z"
  done
  echo "$ld"
}

build_bin() {  # build_bin BINARY
  cd "$MOD"
  go build -trimpath -ldflags "-s -w $(version_ldflags)" -o "$BIN_DIR/kube/$1.tmp" "k8s.io/kubernetes/cmd/$1"
  mv "$BIN_DIR/kube/$1.tmp" "$BIN_DIR/kube/$1"
}

main() {
  local b
  if stamp_ok kube-bins "$KEY"; then
    for b in $BINS; do [ -x "$BIN_DIR/kube/$b" ] || { rm -f "$STAMP_DIR/kube-bins"; break; }; done
  fi
  if stamp_ok kube-bins "$KEY"; then log "kube binaries $KUBE_VERSION: cached"; return; fi
  mkdir -p "$MOD" "$BIN_DIR/kube"
  run_step kube-module gen_module
  for b in $BINS; do build_once "kube-$b" "$KEY" "$BIN_DIR/kube/$b" build_bin "$b"; done
  "$BIN_DIR/kube/kubeadm" version -o short
  stamp_set kube-bins "$KEY"
}
script_main "$@"
