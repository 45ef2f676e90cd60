#!/usr/bin/env bash
# Make sure a Docker engine runs on this host (idempotent):
#  - install Debian docker.io (and the other Debian tools the factory needs) if missing;
#  - if the host's capability bounding set lacks CAP_SYS_RESOURCE (bit 24), build and install
#    the daprkit-runc wrapper and make it dockerd's default runtime;
#  - start dockerd if it is not answering (log: $LOG_DIR/dockerd.log);
#  - print storage driver and cgroup version.
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
DEBS="docker.io containerd runc docker-registry mmdebstrap iptables time"
# The runc wrapper (also copied into the kind node image by build-node-image.sh).
WRAPPER="$BIN_DIR/daprkit-runc"

# shellcheck disable=SC2086 # $DEBS: a list of package names
apt_install() {
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $DEBS
}
build_wrapper() {
  cd "$CLUSTER_DIR/runc-wrapper"
  go build -trimpath -ldflags "-s -w" -o "$WRAPPER.tmp" .
  mv "$WRAPPER.tmp" "$WRAPPER"
}
dockerd_pid() { pgrep -x dockerd | head -1; }

main() {
  local need="" c capbnd need_wrapper=0 want_cfg="" restart=0 pid drv cg rt
  for c in dockerd containerd runc docker-registry mmdebstrap iptables; do
    command -v "$c" >/dev/null || need=1
  done
  [ -x /usr/bin/time ] || need=1
  [ -z "$need" ] || run_step apt-install apt_install

  build_once runc-wrapper "$(inputs_key -- "$CLUSTER_DIR/runc-wrapper")" "$WRAPPER" build_wrapper

  capbnd=$(awk '/^CapBnd/{print $2}' /proc/self/status)
  if (( (16#$capbnd >> 24 & 1) == 0 )); then need_wrapper=1; fi
  if [ "$need_wrapper" = 1 ]; then
    install -m 0755 "$WRAPPER" /usr/local/bin/daprkit-runc
    want_cfg='{
  "runtimes": { "daprkit-runc": { "path": "/usr/local/bin/daprkit-runc" } },
  "default-runtime": "daprkit-runc"
}'
    log "host bounding set $capbnd lacks CAP_SYS_RESOURCE: dockerd default runtime = daprkit-runc"
  fi
  if [ -n "$want_cfg" ]; then
    mkdir -p /etc/docker
    if [ "$(cat /etc/docker/daemon.json 2>/dev/null)" != "$want_cfg" ]; then
      [ ! -f /etc/docker/daemon.json ] || cp /etc/docker/daemon.json "/etc/docker/daemon.json.bak.$(date +%s)"
      printf '%s\n' "$want_cfg" >/etc/docker/daemon.json
      restart=1
    fi
  fi

  if docker info >/dev/null 2>&1 && [ "$restart" = 1 ]; then
    pid=$(dockerd_pid)
    if [ -n "$pid" ]; then
      log "daemon.json changed: restarting dockerd (pid $pid)"; kill "$pid"
      for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    fi
  fi
  if ! docker info >/dev/null 2>&1; then
    if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
      systemctl start docker
    else
      log "starting dockerd (log: $LOG_DIR/dockerd.log)"
      nohup setsid /usr/sbin/dockerd >>"$LOG_DIR/dockerd.log" 2>&1 </dev/null &
    fi
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || die "step docker-engine: dockerd did not come up - see $LOG_DIR/dockerd.log"
  fi
  drv=$(docker info -f '{{.Driver}}'); cg=$(docker info -f '{{.CgroupVersion}}')
  rt=$(docker info -f '{{.DefaultRuntime}}')
  log "docker engine up: storage driver=$drv cgroup version=$cg default runtime=$rt" \
    "server=$(docker version -f '{{.Server.Version}}')"
}
script_main "$@"
