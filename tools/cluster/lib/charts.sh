#!/usr/bin/env bash
# Package the official Dapr control-plane chart (charts/dapr of the github.com/dapr/dapr module,
# unmodified; helm package sets version and appVersion to the Dapr version) and push it to the
# local OCI registry as chart `dapr`, version = the Dapr version (DAPR_RELEASE=previous: the older
# release). The Dapr Shared chart is not built here: it comes from an archive the user mirrors
# (make cluster-mirror).
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
V="${DAPR_VERSION#v}"
MODDIR="$GOMODCACHE/github.com/dapr/dapr@$DAPR_VERSION"

package_and_push() {
  local out="$DAPRKIT_CACHE/charts" src="$WORK_DIR/chart-dapr-$V"
  mkdir -p "$out"
  rm -rf "$src"; mkdir -p "$src"
  cp -r "$MODDIR/charts/dapr" "$src/"; chmod -R u+w "$src"
  helm package "$src/dapr" --version "$V" --app-version "$V" -d "$out"
  helm push "$out/dapr-$V.tgz" "$CHART_REPO" --plain-http
  helm show chart "$CHART_REPO/dapr" --version "$V" --plain-http
  rm -rf "$src"
}

main() {
  "$CLUSTER_DIR/lib/registry.sh"
  if helm show chart "$CHART_REPO/dapr" --version "$V" --plain-http >/dev/null 2>&1; then
    log "chart dapr $V: already in $CHART_REPO"; return
  fi
  [ -d "$MODDIR/charts/dapr" ] ||
    (cd "$WORK_DIR" && GOFLAGS=-mod=mod go mod download "github.com/dapr/dapr@$DAPR_VERSION")
  run_step "chart-dapr-$V" package_and_push
}
script_main "$@"
