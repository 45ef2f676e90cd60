#!/usr/bin/env bash
# Build the six Dapr binaries from the github.com/dapr/dapr module (inside the module dir so
# its replace directives apply), CGO_ENABLED=0, tags $DAPR_BUILD_TAGS, version via ldflags.
# DAPR_RELEASE=previous builds DAPR_PREVIOUS_VERSION instead (see common.sh).
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
BINS="daprd operator sentry placement injector scheduler"
KEY="$DAPR_VERSION $DAPR_BUILD_TAGS"
OUT="$BIN_DIR/dapr-$DAPR_VERSION"
MODDIR="$GOMODCACHE/github.com/dapr/dapr@$DAPR_VERSION"

download() { cd "$WORK_DIR" && GOFLAGS=-mod=mod go mod download -json "github.com/dapr/dapr@$DAPR_VERSION"; }

build_bin() {  # build_bin BINARY
  local ld="-s -w -X github.com/dapr/dapr/pkg/buildinfo.gitversion=$DAPR_VERSION"
  ld="$ld -X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION#v}"
  cd "$MODDIR"
  go build -trimpath -tags "$DAPR_BUILD_TAGS" -ldflags "$ld" -o "$OUT/$1.tmp" "./cmd/$1"
  mv "$OUT/$1.tmp" "$OUT/$1"
}

main() {
  local b all=1
  mkdir -p "$OUT"
  for b in $BINS; do [ -x "$OUT/$b" ] || all=0; done
  if [ "$all" = 1 ] && stamp_ok "dapr-$DAPR_VERSION" "$KEY"; then
    log "dapr binaries $DAPR_VERSION: cached"; return
  fi
  [ -d "$MODDIR" ] || run_step "dapr-module-$DAPR_VERSION" download
  for b in $BINS; do build_once "dapr-$DAPR_VERSION-$b" "$KEY" "$OUT/$b" build_bin "$b"; done
  "$OUT/daprd" --version
  stamp_set "dapr-$DAPR_VERSION" "$KEY"
}
script_main "$@"
