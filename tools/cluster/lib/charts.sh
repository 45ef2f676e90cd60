#!/usr/bin/env bash
# Package the official Dapr control-plane chart (charts/dapr of the github.com/dapr/dapr module,
# unmodified; helm package sets version and appVersion to the Dapr version) and push it to the
# local OCI registry. The Dapr Shared chart is not built here: it comes from an archive the user
# mirrors (make cluster-mirror).
. "$(dirname "$0")/common.sh"
"$CLUSTER_DIR/lib/registry.sh"
V="${DAPR_VERSION#v}"
if helm show chart "$CHART_REPO/dapr" --version "$V" --plain-http >/dev/null 2>&1; then
  log "chart dapr $V: already in $CHART_REPO"; exit 0
fi
moddir="$GOMODCACHE/github.com/dapr/dapr@$DAPR_VERSION"
[ -d "$moddir/charts/dapr" ] || (cd "$WORK_DIR" && GOFLAGS=-mod=mod go mod download "github.com/dapr/dapr@$DAPR_VERSION")
pkg() {
  set -e
  out="$DAPRKIT_CACHE/charts"; mkdir -p "$out"
  rm -rf "$WORK_DIR/chart-dapr"; mkdir -p "$WORK_DIR/chart-dapr"
  cp -r "$moddir/charts/dapr" "$WORK_DIR/chart-dapr/"; chmod -R u+w "$WORK_DIR/chart-dapr"
  helm package "$WORK_DIR/chart-dapr/dapr" --version "$V" --app-version "$V" -d "$out"
  helm push "$out/dapr-$V.tgz" "$CHART_REPO" --plain-http
  helm show chart "$CHART_REPO/dapr" --version "$V" --plain-http
}
run_step chart-dapr pkg
