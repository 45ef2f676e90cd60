#!/usr/bin/env bash
# Build the six Dapr binaries from the github.com/dapr/dapr module (inside the module dir so
# its replace directives apply), CGO_ENABLED=0, tags $DAPR_BUILD_TAGS, version via ldflags.
# DAPR_RELEASE=previous builds DAPR_PREVIOUS_VERSION instead (see common.sh).
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
BINS="daprd operator sentry placement injector scheduler"
KEY="$DAPR_VERSION $DAPR_BUILD_TAGS"
OUT="$BIN_DIR/dapr-$DAPR_VERSION"
OUT_SECOND="$BIN_DIR/dapr-$DAPR_VERSION-$DAPRD_SECOND_COMMIT"
MODDIR="$GOMODCACHE/github.com/dapr/dapr@$DAPR_VERSION"

download() { cd "$WORK_DIR" && GOFLAGS=-mod=mod go mod download -json "github.com/dapr/dapr@$DAPR_VERSION"; }

build_bin() {  # build_bin BINARY [OUTPUT_DIR [GIT_COMMIT]]
  local out="${2:-$OUT}" ld="-s -w -X github.com/dapr/dapr/pkg/buildinfo.gitversion=$DAPR_VERSION"
  ld="$ld -X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION#v}"
  [ -z "${3:-}" ] || ld="$ld -X github.com/dapr/dapr/pkg/buildinfo.gitcommit=$3"
  mkdir -p "$out"
  cd "$MODDIR"
  go build -trimpath -tags "$DAPR_BUILD_TAGS" -ldflags "$ld" -o "$out/$1.tmp" "./cmd/$1"
  mv "$out/$1.tmp" "$out/$1"
}

second_daprd() {  # the separate build of daprd that DAPRD_SECOND_IMAGE holds (see versions.env)
  [ "${DAPR_RELEASE:-current}" = current ] || return 0
  build_once "dapr-$DAPR_VERSION-daprd-$DAPRD_SECOND_COMMIT" "$KEY $DAPRD_SECOND_COMMIT" "$OUT_SECOND/daprd" \
    build_bin daprd "$OUT_SECOND" "$DAPRD_SECOND_COMMIT"
}

main() {
  local b all=1
  mkdir -p "$OUT"
  for b in $BINS; do [ -x "$OUT/$b" ] || all=0; done
  if [ "$all" = 1 ] && stamp_ok "dapr-$DAPR_VERSION" "$KEY"; then
    log "dapr binaries $DAPR_VERSION: cached"; second_daprd; return
  fi
  [ -d "$MODDIR" ] || run_step "dapr-module-$DAPR_VERSION" download
  for b in $BINS; do build_once "dapr-$DAPR_VERSION-$b" "$KEY" "$OUT/$b" build_bin "$b"; done
  "$OUT/daprd" --version
  stamp_set "dapr-$DAPR_VERSION" "$KEY"
  second_daprd
}
script_main "$@"
