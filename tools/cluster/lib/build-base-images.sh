#!/usr/bin/env bash
# Debian base images built with mmdebstrap and `docker import` (no registry involved).
#   BASE_MINIMAL_IMAGE  minbase, for static Go programs (control plane, etcd, coredns, pause)
#   BASE_NET_IMAGE      minbase + iptables (legacy + nft), nftables, conntrack, ipset, iproute2:
#                       kube-proxy, daprkit-cni (through NET_IMAGE, images/net)
#   BASE_NETPY_IMAGE    the same + python3: daprkit-netpol
#   BASE_NODE_IMAGE     what kind's images/base provides: systemd, containerd, runc, CNI plugins...
#   BASE_REDIS_IMAGE    minbase + Debian's redis-server at REDIS_VERSION: the in-cluster Redis (images/redis)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
MIRROR="http://deb.debian.org/debian"
SEC_MIRROR="http://deb.debian.org/debian-security"

NET_PKGS="iptables,nftables,conntrack,ipset,iproute2,kmod,ca-certificates"
NODE_PKGS="systemd,systemd-sysv,dbus,conntrack,iptables,nftables,iproute2,ethtool,util-linux,mount,kmod,libseccomp2"
NODE_PKGS="$NODE_PKGS,pigz,fuse-overlayfs,nfs-common,e2fsprogs,bash,ca-certificates,curl,jq,procps,containerd,runc"
NODE_PKGS="$NODE_PKGS,containernetworking-plugins,socat,ebtables,ipset,less,sudo,rsync"

mk_base() {  # mk_base NAME IMAGE PACKAGES: mmdebstrap a tarball, docker import it
  local tar="$WORK_DIR/$1.tar" image="$2" pkgs="$3"
  rm -f "$tar"
  # shellcheck disable=SC2016 # $1 is expanded by mmdebstrap's hook shell
  mmdebstrap --variant=minbase --include="$pkgs" --format=tar --aptopt='Acquire::Retries "3"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    --customize-hook='rm -rf "$1"/usr/share/doc/* "$1"/usr/share/man/*' \
    "$DEBIAN_SUITE" "$tar" \
    "deb $MIRROR $DEBIAN_SUITE main" "deb $MIRROR $DEBIAN_SUITE-updates main" \
    "deb $SEC_MIRROR $DEBIAN_SUITE-security main"
  docker import -c 'CMD ["/bin/bash"]' "$tar" "$image"
  rm -f "$tar"
}

build_base() {  # build_base NAME IMAGE PACKAGES
  if image_exists "$2"; then log "$2: present"; return; fi
  run_step "base-$1" mk_base "$@"
}

main() {
  build_base minbase "$BASE_MINIMAL_IMAGE" "ca-certificates"
  build_base net "$BASE_NET_IMAGE" "$NET_PKGS"
  build_base node "$BASE_NODE_IMAGE" "$NODE_PKGS"
  build_base netpy "$BASE_NETPY_IMAGE" "$NET_PKGS,python3"
  # epoch 5 is Debian's for redis; the revision is left open so that security updates of the version apply
  build_base redis "$BASE_REDIS_IMAGE" "redis-server=5:$REDIS_VERSION-*"
}
script_main "$@"
