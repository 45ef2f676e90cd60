# tools/cluster/lib/common.sh - shared helpers for the offline cluster factory (sourced).
# shellcheck shell=bash
set -euo pipefail

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../versions.env
. "$CLUSTER_DIR/versions.env"
# a second, throw-away cluster (e.g. to measure or check without disturbing the main one):
# DAPRKIT_CLUSTER_NAME=daprkit-bench KUBECONFIG_PATH=/tmp/bench.kubeconfig make cluster
CLUSTER_NAME="${DAPRKIT_CLUSTER_NAME:-$CLUSTER_NAME}"
# the running script, by absolute path (run_step runs its functions through it, whatever the cwd)
SCRIPT_PATH="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"

log()  { printf '[daprkit %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '[daprkit %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# DAPR_RELEASE=previous: build-dapr.sh, build-images.sh and charts.sh build the older Dapr release
# of the upgrade tests (DAPR_PREVIOUS_*) instead of DAPR_VERSION, with the same code.
# shellcheck disable=SC2034 # used by the scripts that source this file
case "${DAPR_RELEASE:-current}" in
  current) ;;
  previous)
    DAPR_VERSION="$DAPR_PREVIOUS_VERSION" DAPR_IMAGE="$DAPR_PREVIOUS_IMAGE" DAPRD_IMAGE="$DAPRD_PREVIOUS_IMAGE"
    DAPR_COMPONENT_IMAGES="$DAPR_PREVIOUS_COMPONENT_IMAGES";;
  *) die "DAPR_RELEASE=${DAPR_RELEASE} (expected current or previous)";;
esac

export DAPRKIT_CACHE="${DAPRKIT_CACHE:-$HOME/.cache/daprkit}"
BIN_DIR="$DAPRKIT_CACHE/bin"            # host CLIs and binaries for images
LOG_DIR="${DAPRKIT_LOG_DIR:-$DAPRKIT_CACHE/logs}"  # one log per step (a fleet member: its own)
STAMP_DIR="$DAPRKIT_CACHE/stamps"       # step stamps (contents = inputs of the step)
WORK_DIR="$DAPRKIT_CACHE/work"          # generated modules, build contexts
IMG_DIR="$DAPRKIT_CACHE/images"         # image tarballs (to preload into the node image)
export KUBECONFIG_PATH="${KUBECONFIG_PATH:-$DAPRKIT_CACHE/kind/kubeconfig}"
mkdir -p "$BIN_DIR" "$LOG_DIR" "$STAMP_DIR" "$WORK_DIR" "$IMG_DIR" "$(dirname "$KUBECONFIG_PATH")"
export PATH="$BIN_DIR:$BIN_DIR/kube:$PATH"
export DOCKER_BUILDKIT=0
export CGO_ENABLED=0
GOMODCACHE="$(go env GOMODCACHE)"; export GOMODCACHE

# run_step NAME CMD [ARG...]: run CMD with output to $LOG_DIR/NAME.log, print timing; on failure
# name the step and its log and stop. Peak memory via /usr/bin/time -v when available.
# A CMD that is a function of the calling script runs in a process of its own: the script again,
# as `<script> --step CMD ARG...` (its last line is `script_main "$@"`), so the function is the
# script's own definition; it gets what it needs as arguments or from the script's top level.
run_step() {
  local name="$1"; shift
  local logf="$LOG_DIR/$name.log" start end rc=0 mem=""
  start=$(date +%s)
  log "step $name: start (log: $logf)"
  if declare -F "$1" >/dev/null; then set -- bash "$SCRIPT_PATH" --step "$@"; fi
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
  [ -f "$LOG_DIR/$name.time" ] &&
    mem=$(awk -F': ' '/Maximum resident/{printf " peak-rss=%dMiB", $2/1024}' "$LOG_DIR/$name.time")
  log "step $name: done in $((end-start))s${mem}"
  printf '%s\t%s\t%s\n' "$(date -Is)" "$name" "$((end-start))s${mem}" >>"$LOG_DIR/timings.tsv"
}

# script_main "$@": the last line of a script whose functions run as steps. `--step FN ARG...`
# (from run_step) runs that one function; anything else runs the script's main.
script_main() {
  if [ "${1:-}" = --step ]; then shift; "$@"; else main "$@"; fi
}

# stamp helpers: a step is done when its stamp exists and holds the same key.
stamp_ok()  { [ -f "$STAMP_DIR/$1" ] && [ "$(cat "$STAMP_DIR/$1")" = "$2" ]; }
stamp_set() { printf '%s' "$2" >"$STAMP_DIR/$1"; }
# build_once STEP KEY OUT CMD...: run_step STEP CMD (which makes the program OUT) unless OUT exists and
# the stamp of STEP holds KEY; then stamp it
build_once() {
  local step="$1" key="$2" out="$3"; shift 3
  if [ -x "$out" ] && stamp_ok "$step" "$key"; then log "$step: cached"; return; fi
  run_step "$step" "$@"
  stamp_set "$step" "$key"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# inputs_key [WORD...] [-- PATH...]: the cache key (32 hex) of a build: the words (versions,
# build args) and the content of each path, named by its base name (a file; a directory: the
# paths of its files below that name, recursively). Any change of a word, a name or a byte
# changes the key. A missing path is an error (its name on stderr, status 1).
inputs_key() {
  local words=() paths=() p
  while [ $# -gt 0 ] && [ "$1" != -- ]; do words+=("$1"); shift; done
  [ $# -eq 0 ] || { shift; paths=("$@"); }
  for p in "${paths[@]}"; do [ -e "$p" ] || { echo "missing input: $p" >&2; return 1; }; done
  {
    printf 'word %s\n' "${words[@]}"
    for p in "${paths[@]}"; do
      if [ -d "$p" ]; then
        (cd "$p/.." && find "$(basename "$p")/" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
      else
        printf '%s  %s\n' "$(sha256sum <"$p" | cut -d' ' -f1)" "$(basename "$p")"
      fi
    done
  } | sha256sum | cut -c1-32
}

# image_key IMAGE: the inputs key the image was built from (label io.daprkit.inputs), or nothing
image_key() { docker image inspect -f '{{index .Config.Labels "io.daprkit.inputs"}}' "$1" 2>/dev/null || true; }

# The build context of an image, as build_image and build_context_key take it:
#   NAME [--build-arg K=V]... [INPUT...]
# = tools/cluster/images/NAME (its Dockerfile and files) + each INPUT (a file or directory built
# elsewhere, e.g. a binary) copied into the context under its base name + the build args.
# split_context ARGS_VAR INPUTS_VAR CONTEXT...: the build args and the inputs, into two arrays
split_context() {
  local -n _args="$1" _inputs="$2"
  shift 3
  while [ $# -gt 0 ]; do
    if [ "$1" = --build-arg ]; then _args+=("$2"); shift 2; else _inputs+=("$1"); shift; fi
  done
}

# build_args_words K=V...: the build args as key words; an image named by a *IMAGE arg counts
# with its id, so a rebuilt base image rebuilds the images FROM it
build_args_words() {
  local arg id
  for arg in "$@"; do
    case "${arg%%=*}" in
      *IMAGE) id=$(docker image inspect -f '{{.Id}}' "${arg#*=}" 2>/dev/null) ||
                { echo "missing base image: ${arg#*=}" >&2; return 1; }
              echo "$arg@$id";;
      *) echo "$arg";;
    esac
  done
}

build_context_key() {  # build_context_key CONTEXT...: the inputs key of that build context
  local args=() inputs=() words
  split_context args inputs "$@"
  words=$(build_args_words "${args[@]}") || return 1
  # shellcheck disable=SC2086 # one word per line, none contains blanks
  inputs_key $words -- "$CLUSTER_DIR/images/$1" "${inputs[@]}"
}

# build_image STEP IMAGE CONTEXT...: docker build of the build context (see above), labelled with
# its key; skipped when IMAGE already carries that key, so a changed Dockerfile, script, binary
# or build arg rebuilds the image under the same tag.
build_image() {
  local step="$1" image="$2" key ctx args=() inputs=()
  shift 2
  key=$(build_context_key "$@") || die "step image-$step: an input is missing (build it first)"
  if [ "$(image_key "$image")" = "$key" ]; then log "$image: present"; return 0; fi
  split_context args inputs "$@"
  ctx="$WORK_DIR/ctx-$step"
  rm -rf "$ctx"; mkdir -p "$ctx"
  cp -a "$CLUSTER_DIR/images/$1/." "$ctx/"
  [ ${#inputs[@]} -eq 0 ] || cp -a "${inputs[@]}" "$ctx/"
  run_step "image-$step" docker build --network=none --label "io.daprkit.inputs=$key" \
    "${args[@]/#/--build-arg=}" -t "$image" "$ctx"
  rm -rf "$ctx"
}
