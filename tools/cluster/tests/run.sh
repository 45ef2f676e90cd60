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

t "runc wrapper: go test (JSON edit of config.json / process.json)" \
  bash -c "cd '$here/runc-wrapper' && go test -count=1 ./..."
t "pause: go vet" bash -c "cd '$here/pause' && go vet ./..."
t "versions file consistency" "$here/tests/test_versions.sh"
t "shell syntax of all scripts" syntax
t "run_step names the failing step and its log" "$here/tests/test_run_step.sh"
t "inputs_key / build_context_key: a changed build context changes the key" "$here/tests/test_inputs_key.sh"
t "CNI manifest renders to valid YAML" "$here/tests/test_cni_manifest.sh"
t "daprkit-netpol: rule computation (unit tests)" python3 "$here/tests/test_netpol.py"
t "daprkit-netpol manifest renders to valid YAML" netpol_manifest
if [ "$fails" -eq 0 ]; then echo "all tool tests passed"; else echo "$fails test(s) failed"; exit 1; fi
