#!/usr/bin/env bash
# Debian base images built with mmdebstrap and `docker import` (no registry involved).
#   BASE_MINIMAL_IMAGE  minbase, for static Go programs (control plane, etcd, coredns, pause)
#   BASE_NET_IMAGE      minbase + iptables (legacy + nft), nftables, conntrack, ipset, iproute2:
#                       kube-proxy, kindnetd, local-path helper
#   BASE_NETPY_IMAGE    the same + python3: daprkit-netpol
#   BASE_NODE_IMAGE     what kind's images/base provides: systemd, containerd, runc, CNI plugins...
. "$(dirname "$0")/common.sh"
MIRROR="http://deb.debian.org/debian"
SEC_MIRROR="http://deb.debian.org/debian-security"

NET_PKGS="iptables,nftables,conntrack,ipset,iproute2,kmod,ca-certificates"
NODE_PKGS="systemd,systemd-sysv,dbus,conntrack,iptables,nftables,iproute2,ethtool,util-linux,mount,kmod,libseccomp2,pigz,fuse-overlayfs,nfs-common,e2fsprogs,bash,ca-certificates,curl,jq,procps,containerd,runc,containernetworking-plugins,socat,ebtables,ipset,less,sudo,rsync"

build_base() {  # name image packages
  local name="$1" image="$2" pkgs="$3"
  if image_exists "$image"; then log "$image: present"; return; fi
  mk() {
    set -e
    local tar="$WORK_DIR/$name.tar"
    rm -f "$tar"
    mmdebstrap --variant=minbase --include="$pkgs" --format=tar \
      --aptopt='Acquire::Retries "3"' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/usr/share/doc/* "$1"/usr/share/man/*' \
      "$DEBIAN_SUITE" "$tar" \
      "deb $MIRROR $DEBIAN_SUITE main" "deb $MIRROR $DEBIAN_SUITE-updates main" "deb $SEC_MIRROR $DEBIAN_SUITE-security main"
    docker import -c 'CMD ["/bin/bash"]' "$tar" "$image"
    rm -f "$tar"
  }
  export name pkgs image; run_step "base-$name" mk
}
build_base minbase "$BASE_MINIMAL_IMAGE" "ca-certificates"
build_base net "$BASE_NET_IMAGE" "$NET_PKGS"
build_base node "$BASE_NODE_IMAGE" "$NODE_PKGS"
build_base netpy "$BASE_NETPY_IMAGE" "$NET_PKGS,python3"
