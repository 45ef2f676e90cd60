#!/bin/bash
# daprkit-cni: the smallest CNI that gives a multi-node kind cluster pod networking, used
# because kindnetd (sigs.k8s.io/kind/images/kindnetd) cannot be obtained from the module proxy.
# Per node (DaemonSet, hostNetwork):
#   - writes /etc/cni/net.d/10-daprkit.conflist: ptp + host-local IPAM on the node's podCIDR
#     (same plugins kindnetd uses) + portmap;
#   - routes every other node's podCIDR via that node's InternalIP (all nodes share one L2
#     docker network, like kindnetd does);
#   - masquerades pod traffic leaving the pod subnet.
# It does NOT enforce NetworkPolicy.
set -u
: "${NODE_NAME:?}" "${POD_SUBNET:?}"
CONF=/etc/cni/net.d/10-daprkit.conflist
# talk to the API server directly (kind patches CONTROL_PLANE_ENDPOINT in): no kube-proxy needed
if [ -n "${CONTROL_PLANE_ENDPOINT:-}" ]; then
  export KUBERNETES_SERVICE_HOST="${CONTROL_PLANE_ENDPOINT%:*}" KUBERNETES_SERVICE_PORT="${CONTROL_PLANE_ENDPOINT##*:}"
fi
log() { echo "$(date -Is) $*"; }

ensure_masq() {
  iptables -t nat -N DAPRKIT-MASQ 2>/dev/null || true
  iptables -t nat -C POSTROUTING -m comment --comment daprkit-cni -j DAPRKIT-MASQ 2>/dev/null ||
    iptables -t nat -A POSTROUTING -m comment --comment daprkit-cni -j DAPRKIT-MASQ
  iptables -t nat -C DAPRKIT-MASQ -d "$POD_SUBNET" -j RETURN 2>/dev/null ||
    iptables -t nat -A DAPRKIT-MASQ -d "$POD_SUBNET" -j RETURN
  iptables -t nat -C DAPRKIT-MASQ -s "$POD_SUBNET" -j MASQUERADE 2>/dev/null ||
    iptables -t nat -A DAPRKIT-MASQ -s "$POD_SUBNET" -j MASQUERADE
}

write_conf() {
  local cidr="$1" tmp
  tmp=$(mktemp /etc/cni/net.d/.daprkit.XXXXXX)
  cat >"$tmp" <<JSON
{
  "cniVersion": "0.3.1",
  "name": "daprkit",
  "plugins": [
    {
      "type": "ptp",
      "ipMasq": false,
      "mtu": 1500,
      "ipam": {
        "type": "host-local",
        "dataDir": "/run/cni-ipam-state",
        "routes": [ { "dst": "0.0.0.0/0" } ],
        "ranges": [ [ { "subnet": "$cidr" } ] ]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
  if ! cmp -s "$tmp" "$CONF"; then mv "$tmp" "$CONF"; log "wrote $CONF for $cidr"; else rm -f "$tmp"; fi
}

while true; do
  ensure_masq
  # name podCIDR InternalIP, one node per line
  jp='{range .items[*]}{.metadata.name} {.spec.podCIDR}'
  jp="$jp"' {.status.addresses[?(@.type=="InternalIP")].address}{"\n"}{end}'
  nodes=$(kubectl get nodes -o jsonpath="$jp") || { log "cannot list nodes"; sleep 5; continue; }
  while read -r name cidr ip; do
    if [ -z "$name" ] || [ -z "$cidr" ] || [ -z "$ip" ]; then continue; fi
    if [ "$name" = "$NODE_NAME" ]; then
      write_conf "$cidr"
    else
      cur=$(ip route show "$cidr" 2>/dev/null)
      case "$cur" in *"via $ip "*) ;; *) ip route replace "$cidr" via "$ip" && log "route $cidr via $ip ($name)";; esac
    fi
  done <<<"$nodes"
  sleep 10
done
