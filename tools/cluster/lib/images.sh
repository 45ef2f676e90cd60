#!/usr/bin/env bash
# Build everything the cluster needs that is missing, in dependency order. Resumable: every
# part checks its own stamps / images first. Total and per-part timings are printed and
# appended to $LOG_DIR/timings.tsv.
. "$(dirname "$0")/common.sh"
L="$CLUSTER_DIR/lib"
T0=$(date +%s)
part() { local t=$(date +%s); "$@"; log "part $(basename "$1") ${2:-}: $(( $(date +%s)-t ))s"; }
part "$L/docker-engine.sh"
part "$L/build-tools.sh"
part "$L/build-kube.sh"
part "$L/build-base-images.sh"
part "$L/build-images.sh" --no-dapr
part "$L/build-node-image.sh"
part "$L/build-dapr.sh"
part "$L/build-images.sh"
part "$L/charts.sh"
log "all images and charts ready ($(( $(date +%s)-T0 ))s)"
