#!/usr/bin/env bash
# Fast tests of the cluster tooling; no cluster, no docker needed. Usage: tools/cluster/tests/run.sh
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
fails=0
t() {  # t NAME CMD...: run CMD, print ok/FAIL (with its output, indented)
  local name="$1" out; shift
  if out=$("$@" 2>&1); then echo "ok   $name"; return; fi
  echo "FAIL $name"; printf '%s\n' "$out" | sed 's/^/     /'; fails=$((fails+1))
}
syntax() {  # every script parses (bash, and sh for the POSIX iptables-wrapper)
  local f
  for f in "$here"/lib/*.sh "$here"/images/cni/daprkit-cni.sh "$here"/images-present "$here"/shared-chart-present \
           "$here"/lint-tools "$here"/tests/*.sh; do
    bash -n "$f" || return 1
  done
  sh -n "$here/images/net/iptables-wrapper"
}
netpol_manifest() {
  python3 -c "
import sys, yaml
text = open(sys.argv[1]).read().replace('__NETPOL_IMAGE__', 'x:1').replace('__NETPOL_IMAGE_ID__', 'abc')
ds = [d for d in yaml.safe_load_all(text) if d and d['kind'] == 'DaemonSet'][0]
assert ds['spec']['template']['metadata']['annotations']['daprkit.io/image-id'] == 'abc'
assert ds['spec']['template']['spec']['hostNetwork'] is True" "$here/images/netpol/daprkit-netpol.yaml"
}
redis_manifest() {  # the manifest cluster-up.sh applies, as it substitutes it, and the config it runs with
  python3 -c "
import sys, yaml
text = open(sys.argv[1]).read().replace('__REDIS_IMAGE__', 'x:1').replace('__REDIS_IMAGE_ID__', 'abc')
docs = {d['kind']: d for d in yaml.safe_load_all(text) if d}
assert '__' not in text, 'a placeholder cluster-up.sh does not set'
assert docs['Namespace']['metadata']['name'] == 'dapr-redis'
svc, dep = docs['Service'], docs['Deployment']
assert (svc['metadata']['name'], svc['metadata']['namespace']) == ('redis', 'dapr-redis')
assert [p['port'] for p in svc['spec']['ports']] == [6379]
pod = dep['spec']['template']
assert svc['spec']['selector'].items() <= pod['metadata']['labels'].items(), 'the Service selects no Redis pod'
assert pod['metadata']['annotations']['daprkit.io/image-id'] == 'abc'
assert pod['spec']['securityContext']['runAsNonRoot'] is True
assert pod['spec']['containers'][0]['imagePullPolicy'] == 'Never'
assert 'node-role.kubernetes.io/control-plane' in pod['spec']['nodeSelector'], 'Redis would go down with a worker'
conf = [l.split(None, 1) for l in open(sys.argv[2]).read().splitlines() if l.strip() and not l.startswith('#')]
conf = {k: v for k, v in conf}
assert conf['bind'] == '0.0.0.0' and conf['protected-mode'] == 'no', 'Redis would refuse other pods'
assert conf['port'] == '6379'
" "$here/images/redis/dapr-redis.yaml" "$here/images/redis/redis.conf"
}

t "runc wrapper: go test (JSON edit of config.json / process.json)" \
  bash -c "cd '$here/runc-wrapper' && go test -count=1 ./..."
t "pause: go vet" bash -c "cd '$here/pause' && go vet ./..."
t "versions file consistency" "$here/tests/test_versions.sh"
t "shell syntax of all scripts" syntax
t "run_step names the failing step and its log" "$here/tests/test_run_step.sh"
t "inputs_key / build_context_key: a changed build context changes the key" "$here/tests/test_inputs_key.sh"
t "cluster tier lanes: two at once, never one scenario twice, resilience/upgrade/test-fleet alone" \
  "$here/tests/test_tier_lanes.sh"
t "CNI manifest renders to valid YAML" "$here/tests/test_cni_manifest.sh"
t "daprkit-netpol: rule computation (unit tests)" python3 "$here/tests/test_netpol.py"
t "daprkit-netpol manifest renders to valid YAML" netpol_manifest
t "Redis manifest renders (namespace dapr-redis, Service redis:6379 selecting the pod) and listens for pods" \
  redis_manifest
if [ "$fails" -eq 0 ]; then echo "all tool tests passed"; else echo "$fails test(s) failed"; exit 1; fi
