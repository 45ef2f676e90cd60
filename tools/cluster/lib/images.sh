#!/usr/bin/env bash
# Build everything the cluster needs that is missing, in dependency order. Resumable: every
# part checks its own stamps / images first. Total and per-part timings are printed and
# appended to $LOG_DIR/timings.tsv.
#   images.sh             everything for DAPR_VERSION
#   images.sh --previous  only the older Dapr release of the upgrade tests (DAPR_PREVIOUS_VERSION):
#                         binaries, images and chart, by the same scripts with DAPR_RELEASE=previous
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
L="$CLUSTER_DIR/lib"
T0=$(date +%s)
part() { local t; t=$(date +%s); "$@"; log "part $(basename "$1") ${2:-}: $(( $(date +%s)-t ))s"; }
dapr_parts() { part "$L/build-dapr.sh"; part "$L/build-images.sh" --dapr-only; part "$L/charts.sh"; }
if [ "${1:-}" = --previous ]; then
  export DAPR_RELEASE=previous
  dapr_parts
  log "Dapr $DAPR_PREVIOUS_VERSION images and chart ready ($(( $(date +%s)-T0 ))s)"
  exit 0
fi
part "$L/docker-engine.sh"
part "$L/build-tools.sh"
part "$L/build-kube.sh"
part "$L/build-base-images.sh"
part "$L/build-images.sh" --no-dapr
part "$L/build-node-image.sh"
dapr_parts
log "all images and charts ready ($(( $(date +%s)-T0 ))s)"
