#!/usr/bin/env bash
# Build the six Dapr binaries from the github.com/dapr/dapr module (inside the module dir so
# its replace directives apply), CGO_ENABLED=0, tags $DAPR_BUILD_TAGS, version via ldflags.
. "$(dirname "$0")/common.sh"
BINS="daprd operator sentry placement injector scheduler"
KEY="$DAPR_VERSION $DAPR_BUILD_TAGS"
out="$BIN_DIR/dapr-$DAPR_VERSION"
mkdir -p "$out"
all=1; for b in $BINS; do [ -x "$out/$b" ] || all=0; done
if [ "$all" = 1 ] && stamp_ok dapr-bins "$KEY"; then log "dapr binaries $DAPR_VERSION: cached"; exit 0; fi

dl() { cd "$WORK_DIR" && GOFLAGS=-mod=mod go mod download -json "github.com/dapr/dapr@$DAPR_VERSION"; }
[ -d "$GOMODCACHE/github.com/dapr/dapr@$DAPR_VERSION" ] || run_step dapr-module dl
moddir="$GOMODCACHE/github.com/dapr/dapr@$DAPR_VERSION"
ld="-s -w -X github.com/dapr/dapr/pkg/buildinfo.gitversion=$DAPR_VERSION -X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION#v}"
for b in $BINS; do
  if [ -x "$out/$b" ] && stamp_ok "dapr-$b" "$KEY"; then log "dapr $b: cached"; continue; fi
  build_one() { cd "$moddir" && go build -trimpath -tags "$DAPR_BUILD_TAGS" -ldflags "$ld" -o "$out/$b.tmp" "./cmd/$b" && mv "$out/$b.tmp" "$out/$b"; }
  run_step "dapr-$b" build_one
  stamp_set "dapr-$b" "$KEY"
done
"$out/daprd" --version
stamp_set dapr-bins "$KEY"
