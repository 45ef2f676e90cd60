#!/usr/bin/env bash
# Fast tests of the cluster tooling; no cluster, no docker needed. Usage: tools/cluster/tests/run.sh
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
fails=0
t() { local name="$1"; shift; if out=$("$@" 2>&1); then echo "ok   $name"; else echo "FAIL $name"; echo "$out" | sed 's/^/     /'; fails=$((fails+1)); fi; }

t "runc wrapper: go test (JSON edit of config.json / process.json)" bash -c "cd '$here/runc-wrapper' && go test -count=1 ./..."
t "pause: go vet" bash -c "cd '$here/pause' && go vet ./..."
t "versions file consistency" "$here/tests/test_versions.sh"
t "shell syntax of all scripts" bash -c "for f in '$here'/lib/*.sh '$here'/images/cni/daprkit-cni.sh '$here'/images-present '$here'/shared-chart-present '$here'/tests/*.sh; do bash -n \"\$f\" || exit 1; done; sh -n '$here/images/net/iptables-wrapper'"
t "run_step names the failing step and its log" "$here/tests/test_run_step.sh"
t "CNI manifest renders to valid YAML" "$here/tests/test_cni_manifest.sh"
t "daprkit-netpol: rule computation (unit tests)" python3 "$here/tests/test_netpol.py"
t "daprkit-netpol manifest renders to valid YAML" python3 -c "
import sys, yaml
text = open('$here/images/netpol/daprkit-netpol.yaml').read().replace('__NETPOL_IMAGE__', 'x:1').replace('__NETPOL_IMAGE_ID__', 'abc')
ds = [d for d in yaml.safe_load_all(text) if d and d['kind'] == 'DaemonSet'][0]
assert ds['spec']['template']['metadata']['annotations']['daprkit.io/image-id'] == 'abc'
assert ds['spec']['template']['spec']['hostNetwork'] is True"
[ "$fails" -eq 0 ] && echo "all tool tests passed" || { echo "$fails test(s) failed"; exit 1; }
