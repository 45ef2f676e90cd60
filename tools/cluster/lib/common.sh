# tools/cluster/lib/common.sh - shared helpers for the offline cluster factory (sourced).
# shellcheck shell=bash
set -euo pipefail
# all variables are exported (set -a) so that steps run as functions in a child bash see them
set -a

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=/dev/null
. "$CLUSTER_DIR/versions.env"
# a second, throw-away cluster (e.g. to measure or check without disturbing the main one):
# DAPRKIT_CLUSTER_NAME=daprkit-bench KUBECONFIG_PATH=/tmp/bench.kubeconfig make cluster
CLUSTER_NAME="${DAPRKIT_CLUSTER_NAME:-$CLUSTER_NAME}"

DAPRKIT_CACHE="${DAPRKIT_CACHE:-$HOME/.cache/daprkit}"
BIN_DIR="$DAPRKIT_CACHE/bin"            # host CLIs and binaries for images
LOG_DIR="$DAPRKIT_CACHE/logs"           # one log per step
STAMP_DIR="$DAPRKIT_CACHE/stamps"       # step stamps (contents = inputs of the step)
WORK_DIR="$DAPRKIT_CACHE/work"          # generated modules, build contexts
IMG_DIR="$DAPRKIT_CACHE/images"         # image tarballs (to preload into the node image)
KUBECONFIG_PATH="${KUBECONFIG_PATH:-$DAPRKIT_CACHE/kind/kubeconfig}"
mkdir -p "$BIN_DIR" "$LOG_DIR" "$STAMP_DIR" "$WORK_DIR" "$IMG_DIR" "$(dirname "$KUBECONFIG_PATH")"
export PATH="$BIN_DIR:$BIN_DIR/kube:$PATH"
export DOCKER_BUILDKIT=0
export CGO_ENABLED=0
GOMODCACHE="$(go env GOMODCACHE)"; export GOMODCACHE

log()  { printf '[daprkit %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '[daprkit %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# run_step NAME CMD... : run CMD with output to $LOG_DIR/NAME.log, print timing; on failure
# name the step and its log and stop. Peak memory via /usr/bin/time -v when available.
run_step() {
  local name="$1"; shift
  local logf="$LOG_DIR/$name.log" start end rc=0
  start=$(date +%s)
  log "step $name: start (log: $logf)"
  if declare -F "$1" >/dev/null; then export -f "$1" log die; set -- bash -c "$*"; fi
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$LOG_DIR/$name.time" "$@" >"$logf" 2>&1 || rc=$?
  else
    "$@" >"$logf" 2>&1 || rc=$?
  fi
  end=$(date +%s)
  if [ "$rc" -ne 0 ]; then
    tail -n 15 "$logf" >&2 || true
    die "step $name FAILED (rc=$rc) after $((end-start))s - see $logf"
  fi
  local mem=""
  [ -f "$LOG_DIR/$name.time" ] && mem=$(awk -F': ' '/Maximum resident/{printf " peak-rss=%dMiB", $2/1024}' "$LOG_DIR/$name.time")
  log "step $name: done in $((end-start))s${mem}"
  printf '%s\t%s\t%s\n' "$(date -Is)" "$name" "$((end-start))s${mem}" >>"$LOG_DIR/timings.tsv"
}

# stamp helpers: a step is done when its stamp exists and holds the same key.
stamp_ok()  { [ -f "$STAMP_DIR/$1" ] && [ "$(cat "$STAMP_DIR/$1")" = "$2" ]; }
stamp_set() { printf '%s' "$2" >"$STAMP_DIR/$1"; }

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
