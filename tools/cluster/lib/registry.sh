#!/usr/bin/env bash
# Local OCI registry for charts: Debian docker-registry with OUR config (no auth, our storage),
# listening on $REGISTRY_HOST:$REGISTRY_PORT only. Idempotent; log in $LOG_DIR/registry.log.
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
REG_DIR="$DAPRKIT_CACHE/registry"
mkdir -p "$REG_DIR/storage"
url="http://$REGISTRY_HOST:$REGISTRY_PORT/v2/"
if curl -fsS -o /dev/null "$url" 2>/dev/null; then log "registry on $REGISTRY_HOST:$REGISTRY_PORT: up"; exit 0; fi
command -v docker-registry >/dev/null ||
  die "step registry: docker-registry missing (apt-get install docker-registry; see lib/docker-engine.sh)"
cat >"$REG_DIR/config.yml" <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $REG_DIR/storage
  delete:
    enabled: true
http:
  addr: $REGISTRY_HOST:$REGISTRY_PORT
health:
  storagedriver:
    enabled: false
YAML
log "starting docker-registry on $REGISTRY_HOST:$REGISTRY_PORT (log: $LOG_DIR/registry.log)"
nohup setsid docker-registry serve "$REG_DIR/config.yml" >>"$LOG_DIR/registry.log" 2>&1 </dev/null &
echo $! >"$REG_DIR/pid"
for _ in $(seq 30); do curl -fsS -o /dev/null "$url" 2>/dev/null && break; sleep 0.5; done
curl -fsS -o /dev/null "$url" || die "step registry: registry did not answer on $url - see $LOG_DIR/registry.log"
log "registry up"
