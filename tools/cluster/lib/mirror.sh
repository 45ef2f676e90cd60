#!/usr/bin/env bash
# Mirror artifacts the user brings into the offline cluster (make cluster-mirror ARTIFACTS="...").
#   lib/mirror.sh FILE...  a Helm chart archive (.tgz with <name>/Chart.yaml) is pushed to
#                          $CHART_REPO; an image archive (`docker save` format: manifest.json)
#                          is `docker load`ed, kept under $MIRROR_DIR/images/ and loaded into
#                          every node of the kind cluster if it exists.
#   lib/mirror.sh --nodes  load every kept image into the nodes where it is missing (cluster-up.sh
#                          runs it after creating the cluster; the registry storage persists anyway).
# Idempotent: a chart whose archive digest is already in the registry, an image whose id is
# already in docker / in a node (its containerd manifest names the same config digest) is skipped.
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
MIRROR_DIR="$DAPRKIT_CACHE/mirror"
IMAGES_DIR="$MIRROR_DIR/images"   # <key>.tar (uncompressed docker archive) + <key>.refs ("<ref> <id>" lines)
mkdir -p "$IMAGES_DIR"

usage() { die "usage: make cluster-mirror ARTIFACTS=\"<chart>.tgz <image-archive>.tar ...\""; }
is_gzip() { [ "$(head -c 2 "$1" | od -An -tx1 | tr -d ' \n')" = "1f8b" ]; }
# no `grep -q` after tar: with pipefail an early exit of grep would make tar fail (SIGPIPE)
is_chart() { is_gzip "$1" && tar -tzf "$1" 2>/dev/null | grep -E '^[^/]+/Chart\.yaml$' >/dev/null; }
is_image_archive() { tar -tf "$1" 2>/dev/null | grep -xE '(\./)?manifest\.json' >/dev/null; }

# "<ref> <id>" per image in a docker archive; refs normalized as containerd names them
# (busybox:1 -> docker.io/library/busybox:1), id = config digest = docker image id.
archive_refs() { tar -xOf "$1" manifest.json 2>/dev/null || tar -xOf "$1" ./manifest.json 2>/dev/null; }
parse_refs() {
  python3 -c '
import json, re, sys
def norm(ref):
    first, sep, rest = ref.partition("/")
    if not sep or not ("." in first or ":" in first or first == "localhost"):
        first, rest = "docker.io", ref
        if "/" not in rest:
            rest = "library/" + rest
    return first + "/" + rest
out = []
for m in json.load(sys.stdin):
    hexid = re.search(r"([0-9a-f]{64})", m["Config"]).group(1)
    for tag in m.get("RepoTags") or []:
        out.append(norm(tag) + " sha256:" + hexid)
if not out:
    sys.exit("the archive names no image (RepoTags is empty): docker save it by name:tag")
print("\n".join(out))'
}

# running node containers of the cluster (none when it does not exist)
cluster_nodes() {
  kind get clusters 2>/dev/null | grep -x "$CLUSTER_NAME" >/dev/null || return 0
  docker ps --filter "label=io.x-k8s.kind.cluster=$CLUSTER_NAME" --format '{{.Names}}' | sort
}
warn_stopped_nodes() {
  local stopped
  stopped=$(docker ps -a --filter "label=io.x-k8s.kind.cluster=$CLUSTER_NAME" --filter status=exited \
    --format '{{.Names}}' | xargs)
  [ -z "$stopped" ] || log "mirror: WARNING: stopped nodes get no images now: $stopped (make cluster loads them)"
}
# refs of REFS_FILE missing in node N: one docker exec per node (ctr: crictl is not in the node).
# Present = containerd has the name and its manifest (or a manifest of its index) names the config id.
node_missing() {
  docker exec -i "$1" sh -c '
    imgs=$(ctr -n k8s.io images ls </dev/null) || exit 1
    while read -r ref id; do
      d=$(echo "$imgs" | awk -v r="$ref" "\$1 == r {print \$3}")
      c=""; [ -z "$d" ] || c=$(ctr -n k8s.io content get "$d" 2>/dev/null </dev/null)
      case "$c" in *\"manifests\"*)
        for m in $(echo "$c" | grep -o "sha256:[0-9a-f]*"); do
          c="$c $(ctr -n k8s.io content get "$m" 2>/dev/null </dev/null)"
        done;;
      esac
      case "$c" in *"${id#sha256:}"*) ;; *) echo "$ref";; esac
    done' <"$2"
}
# load archive KEY into every running node that lacks one of its images (kind load image-archive)
load_into_nodes() {
  local key="$1" tar="$IMAGES_DIR/$1.tar" refs="$IMAGES_DIR/$1.refs" nodes="" n miss all
  all=$(cluster_nodes); [ -n "$all" ] || return 0
  for n in $all; do
    miss=$(node_missing "$n" "$refs") || die "cannot inspect images in node $n (is it running? make cluster)"
    [ -z "$miss" ] || nodes="$nodes,$n"
  done
  if [ -z "$nodes" ]; then log "mirror: $key already in every node"; return 0; fi
  nodes="${nodes#,}"
  kind load image-archive "$tar" --name "$CLUSTER_NAME" --nodes "$nodes" >"$LOG_DIR/mirror-load.log" 2>&1 ||
    { tail -n 5 "$LOG_DIR/mirror-load.log" >&2; die "kind load image-archive $tar into $nodes failed"; }
  for n in ${nodes//,/ }; do
    [ -z "$(node_missing "$n" "$refs")" ] || die "image(s) of $tar still missing in node $n after loading"
  done
  log "mirror: loaded $key into $nodes"
}

mirror_chart() {
  local f="$1" meta name ver digest url
  meta=$(helm show chart "$f" 2>/dev/null) || die "$f: helm cannot read this chart archive"
  name=$(awk '/^name:/{print $2}' <<<"$meta"); ver=$(awk '/^version:/{print $2}' <<<"$meta")
  if [ -z "$name" ] || [ -z "$ver" ]; then die "$f: Chart.yaml lacks name or version"; fi
  digest="sha256:$(sha256sum "$f" | cut -d' ' -f1)"
  url="http://$REGISTRY_HOST:$REGISTRY_PORT/v2/${CHART_REPO#oci://*/}/$name/manifests/${ver//+/_}"
  if curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$url" 2>/dev/null | grep -F "$digest" >/dev/null
  then log "mirror: chart $name $ver already in $CHART_REPO (same archive)"; return 0; fi
  helm push "$f" "$CHART_REPO" --plain-http >"$LOG_DIR/mirror-chart-$name.log" 2>&1 ||
    { cat "$LOG_DIR/mirror-chart-$name.log" >&2; die "helm push $f $CHART_REPO failed"; }
  log "mirror: chart $name $ver pushed to $CHART_REPO/$name"
}

mirror_image_archive() {
  local f="$1" refs key tmp ref id old present=1
  refs=$(archive_refs "$f" | parse_refs) || die "$f: cannot read manifest.json of this image archive"
  key=$(head -n1 <<<"$refs" | cut -d' ' -f1 | tr '/:@' '___')
  while read -r ref id; do
    [ "$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null)" = "$id" ] || present=0
  done <<<"$refs"
  if [ "$present" = 1 ]; then log "mirror: $(cut -d' ' -f1 <<<"$refs" | xargs) already in docker"
  else docker load -i "$f" >/dev/null || die "docker load -i $f failed"; log "mirror: docker load $f"; fi
  # keep one copy per image name: drop older kept archives that name one of these refs
  for old in "$IMAGES_DIR"/*.refs; do
    if [ ! -e "$old" ] || [ "$old" = "$IMAGES_DIR/$key.refs" ]; then continue; fi
    if cut -d' ' -f1 "$old" | grep -Fx -f <(cut -d' ' -f1 <<<"$refs") >/dev/null; then
      log "mirror: replacing kept $(basename "$old" .refs)"; rm -f "$old" "${old%.refs}.tar"
    fi
  done
  if [ "$(cat "$IMAGES_DIR/$key.refs" 2>/dev/null)" != "$refs" ] || [ ! -s "$IMAGES_DIR/$key.tar" ]; then
    tmp="$IMAGES_DIR/.$key.tar.tmp"
    if is_gzip "$f"; then gzip -dc "$f" >"$tmp"; else cp "$f" "$tmp"; fi
    mv "$tmp" "$IMAGES_DIR/$key.tar"; printf '%s\n' "$refs" >"$IMAGES_DIR/$key.refs"
    log "mirror: kept $IMAGES_DIR/$key.tar"
  fi
  load_into_nodes "$key"
}

reload_nodes() {
  local refs
  [ -n "$(cluster_nodes)" ] || die "cluster $CLUSTER_NAME is not running (make cluster)"
  warn_stopped_nodes
  for refs in "$IMAGES_DIR"/*.refs; do
    [ -e "$refs" ] || continue
    load_into_nodes "$(basename "$refs" .refs)"
  done
}

[ $# -gt 0 ] || usage
if [ "$1" = "--nodes" ]; then reload_nodes; exit 0; fi
# check every argument before touching anything
charts=() images=()
for f in "$@"; do
  [ -e "$f" ] || die "$f: no such file"
  if [ ! -f "$f" ] || [ ! -r "$f" ]; then die "$f: not a readable regular file"; fi
  if is_chart "$f"; then charts+=("$f")
  elif is_image_archive "$f"; then images+=("$f")
  else die "$f: unknown file type (expected a Helm chart .tgz or a 'docker save' image archive)"; fi
done
if [ ${#charts[@]} -gt 0 ]; then
  command -v helm >/dev/null || die "helm missing in $BIN_DIR (make images)"
  "$CLUSTER_DIR/lib/registry.sh"
  for f in "${charts[@]}"; do mirror_chart "$f"; done
fi
if [ ${#images[@]} -gt 0 ]; then
  docker info >/dev/null 2>&1 || die "docker does not answer (make cluster-engine)"
  if [ -n "$(cluster_nodes)" ]; then warn_stopped_nodes
  else log "mirror: cluster $CLUSTER_NAME not running: the images go into its nodes at make cluster"; fi
  for f in "${images[@]}"; do mirror_image_archive "$f"; done
fi
