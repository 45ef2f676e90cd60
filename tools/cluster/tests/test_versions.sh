#!/usr/bin/env bash
# versions.env: every key the scripts use is set, no :latest / digest references, Kubernetes
# image names agree with KUBE_VERSION, and (when our kubeadm is built) exactly match
# `kubeadm config images list`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
set -a; . "$here/versions.env"; set +a
err() { echo "$*"; exit 1; }
for k in KIND_VERSION HELM_VERSION KUBE_VERSION KUBE_STAGING_VERSION KUBE_APISERVER_IMAGE KUBE_CONTROLLER_MANAGER_IMAGE \
         KUBE_SCHEDULER_IMAGE KUBE_PROXY_IMAGE COREDNS_IMAGE ETCD_IMAGE PAUSE_IMAGE CNI_IMAGE KIND_NODE_IMAGE \
         DAPR_VERSION DAPR_IMAGE DAPRD_IMAGE DAPR_REGISTRY DAPR_SHARED_VERSION REGISTRY_PORT CLUSTER_NAME \
         LOCAL_PATH_PROVISIONER_IMAGE LOCAL_PATH_HELPER_IMAGE BASE_MINIMAL_IMAGE BASE_NET_IMAGE BASE_NODE_IMAGE; do
  [ -n "${!k:-}" ] || err "$k is not set"
done
grep -vE '^\s*#' "$here/versions.env" | grep -nE ':latest\b|@sha256:' && err "versions.env uses :latest or a digest"
# every *_IMAGE has an explicit tag
while IFS='=' read -r k v; do
  case "$k" in *_IMAGE) [[ "$v" =~ :[A-Za-z0-9._-]+$ ]] || err "$k=$v has no tag";; esac
done < <(grep -E '^[A-Z_]+=' "$here/versions.env")
for c in KUBE_APISERVER KUBE_CONTROLLER_MANAGER KUBE_SCHEDULER KUBE_PROXY; do
  v="${c}_IMAGE"; [ "${!v##*:}" = "$KUBE_VERSION" ] || err "$v does not carry $KUBE_VERSION"
done
[ "${KUBE_STAGING_VERSION#v0.}" = "${KUBE_VERSION#v1.}" ] || err "staging $KUBE_STAGING_VERSION does not match $KUBE_VERSION"
[ "${ETCD_IMAGE##*:}" = "${ETCD_MODULE_VERSION#v}-0" ] || err "etcd image tag vs module version"
[ "${COREDNS_IMAGE##*:}" = "$COREDNS_MODULE_VERSION" ] || err "coredns image tag vs module version"
[ "${DAPR_IMAGE##*:}" = "${DAPR_VERSION#v}" ] && [ "${DAPRD_IMAGE##*:}" = "${DAPR_VERSION#v}" ] || err "Dapr image tags vs DAPR_VERSION"
[ "${DAPR_IMAGE%/*}" = "$DAPR_REGISTRY" ] || err "DAPR_IMAGE not under DAPR_REGISTRY"
for i in $DAPR_COMPONENT_IMAGES; do
  [ "${i%/*}" = "$DAPR_REGISTRY" ] && [ "${i##*:}" = "${DAPR_VERSION#v}" ] || err "component image $i vs DAPR_REGISTRY/DAPR_VERSION"
done
[ "$(echo $DAPR_COMPONENT_IMAGES | wc -w)" -eq 5 ] || err "expected 5 Dapr component images"
[ "$CHART_REPO" = "oci://localhost:$REGISTRY_PORT/charts" ] || err "CHART_REPO vs REGISTRY_PORT"
kubeadm="${DAPRKIT_CACHE:-$HOME/.cache/daprkit}/bin/kube/kubeadm"
if [ -x "$kubeadm" ]; then
  want=$(printf '%s\n' "$KUBE_APISERVER_IMAGE" "$KUBE_CONTROLLER_MANAGER_IMAGE" "$KUBE_SCHEDULER_IMAGE" "$KUBE_PROXY_IMAGE" "$COREDNS_IMAGE" "$PAUSE_IMAGE" "$ETCD_IMAGE" | sort)
  got=$("$kubeadm" config images list --kubernetes-version "$KUBE_VERSION" 2>/dev/null | sort)
  [ "$want" = "$got" ] || err "kubeadm lists: $got"
  echo "kubeadm image list matches"
else
  echo "kubeadm not built yet: image list comparison skipped"
fi
