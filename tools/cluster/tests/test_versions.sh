#!/usr/bin/env bash
# versions.env: every key the scripts use is set, no :latest / digest references, Kubernetes
# image names agree with KUBE_VERSION, Dapr image names with their release (current and previous), Redis
# image tags with REDIS_VERSION,
# and (when our kubeadm is built) the Kubernetes images exactly match `kubeadm config images list`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../versions.env
. "$here/versions.env"
err() { echo "$*"; exit 1; }
for k in KIND_VERSION HELM_VERSION HELM4_VERSION KUBE_VERSION KUBE_STAGING_VERSION KUBE_APISERVER_IMAGE \
         KUBE_CONTROLLER_MANAGER_IMAGE KUBE_SCHEDULER_IMAGE KUBE_PROXY_IMAGE COREDNS_IMAGE ETCD_IMAGE PAUSE_IMAGE \
         CNI_IMAGE NETPOL_IMAGE NET_IMAGE NETPY_IMAGE KIND_NODE_IMAGE DAPR_VERSION DAPR_IMAGE DAPRD_IMAGE \
         DAPR_REGISTRY DAPR_PREVIOUS_VERSION DAPR_PREVIOUS_IMAGE DAPRD_PREVIOUS_IMAGE DAPR_SHARED_VERSION \
         REGISTRY_PORT CLUSTER_NAME LOCAL_PATH_PROVISIONER_IMAGE LOCAL_PATH_HELPER_IMAGE BASE_MINIMAL_IMAGE \
         BASE_NET_IMAGE BASE_NETPY_IMAGE BASE_NODE_IMAGE REDIS_VERSION BASE_REDIS_IMAGE REDIS_IMAGE; do
  [ -n "${!k:-}" ] || err "$k is not set"
done
if grep -vE '^\s*#' "$here/versions.env" | grep -nE ':latest\b|@sha256:'; then
  err "versions.env uses :latest or a digest"
fi
# every *_IMAGE has an explicit tag
while IFS='=' read -r k v; do
  case "$k" in *_IMAGE) [[ "$v" =~ :[A-Za-z0-9._-]+$ ]] || err "$k=$v has no tag";; esac
done < <(grep -E '^[A-Z_]+=' "$here/versions.env")
for c in KUBE_APISERVER KUBE_CONTROLLER_MANAGER KUBE_SCHEDULER KUBE_PROXY; do
  v="${c}_IMAGE"; [ "${!v##*:}" = "$KUBE_VERSION" ] || err "$v does not carry $KUBE_VERSION"
done
[ "${KUBE_STAGING_VERSION#v0.}" = "${KUBE_VERSION#v1.}" ] ||
  err "staging $KUBE_STAGING_VERSION does not match $KUBE_VERSION"
[ "${ETCD_IMAGE##*:}" = "${ETCD_MODULE_VERSION#v}-0" ] || err "etcd image tag vs module version"
[ "${COREDNS_IMAGE##*:}" = "$COREDNS_MODULE_VERSION" ] || err "coredns image tag vs module version"
# Redis: both images carry the Debian package's upstream version (the base is rebuilt only under a new tag)
[ "${REDIS_IMAGE##*:}" = "$REDIS_VERSION" ] || err "REDIS_IMAGE $REDIS_IMAGE does not carry $REDIS_VERSION"
[ "${BASE_REDIS_IMAGE##*:}" = "$REDIS_VERSION" ] || err "BASE_REDIS_IMAGE $BASE_REDIS_IMAGE lacks $REDIS_VERSION"
dapr_release() {  # dapr_release NAME VERSION DAPR_IMAGE DAPRD_IMAGE COMPONENT_IMAGES
  local name="$1" tag="${2#v}" i
  for i in "$3" "$4" $5; do
    [ "${i%/*}" = "$DAPR_REGISTRY" ] || err "$name: image $i is not under $DAPR_REGISTRY"
    [ "${i##*:}" = "$tag" ] || err "$name: image $i does not carry $2"
  done
  [ "${3%:*}" = "$DAPR_REGISTRY/dapr" ] || err "$name: the all-in-one image is not $DAPR_REGISTRY/dapr"
  [ "${4%:*}" = "$DAPR_REGISTRY/daprd" ] || err "$name: the daprd image is not $DAPR_REGISTRY/daprd"
  # shellcheck disable=SC2086 # a list of image names
  [ "$(printf '%s\n' $5 | sed 's#.*/##; s#:.*##' | sort | xargs)" = "injector operator placement scheduler sentry" ] ||
    err "$name: the 5 component images are not operator, placement, scheduler, sentry, injector: $5"
}
dapr_release current "$DAPR_VERSION" "$DAPR_IMAGE" "$DAPRD_IMAGE" "$DAPR_COMPONENT_IMAGES"
dapr_release previous "$DAPR_PREVIOUS_VERSION" "$DAPR_PREVIOUS_IMAGE" "$DAPRD_PREVIOUS_IMAGE" \
  "$DAPR_PREVIOUS_COMPONENT_IMAGES"
prev_minor="${DAPR_PREVIOUS_VERSION#v1.}"; prev_minor="${prev_minor%%.*}"
minor="${DAPR_VERSION#v1.}"; minor="${minor%%.*}"
[ "$prev_minor" -lt "$minor" ] || err "DAPR_PREVIOUS_VERSION $DAPR_PREVIOUS_VERSION is not an older minor"
[ "$CHART_REPO" = "oci://localhost:$REGISTRY_PORT/charts" ] || err "CHART_REPO vs REGISTRY_PORT"
kubeadm="${DAPRKIT_CACHE:-$HOME/.cache/daprkit}/bin/kube/kubeadm"
if [ -x "$kubeadm" ]; then
  want=$(printf '%s\n' "$KUBE_APISERVER_IMAGE" "$KUBE_CONTROLLER_MANAGER_IMAGE" "$KUBE_SCHEDULER_IMAGE" \
    "$KUBE_PROXY_IMAGE" "$COREDNS_IMAGE" "$PAUSE_IMAGE" "$ETCD_IMAGE" | sort)
  got=$("$kubeadm" config images list --kubernetes-version "$KUBE_VERSION" 2>/dev/null | sort)
  [ "$want" = "$got" ] || err "kubeadm lists: $got"
  echo "kubeadm image list matches"
else
  echo "kubeadm not built yet: image list comparison skipped"
fi
