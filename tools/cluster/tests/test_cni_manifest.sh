#!/usr/bin/env bash
# The CNI manifest, with kind's template value and our image filled in, is valid YAML with a
# DaemonSet using CNI_IMAGE and never pulling.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../versions.env
. "$here/versions.env"
sed -e "s#__CNI_IMAGE__#$CNI_IMAGE#" -e 's#{{ .PodSubnet }}#10.244.0.0/16#' "$here/images/cni/default-cni.yaml" |
python3 -c '
import sys, yaml
docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
ds = [d for d in docs if d["kind"] == "DaemonSet"][0]
c = ds["spec"]["template"]["spec"]["containers"][0]
assert c["image"] == sys.argv[1], c["image"]
assert c["imagePullPolicy"] == "IfNotPresent"
env = {e["name"]: e.get("value") for e in c["env"]}
assert env["POD_SUBNET"] == "10.244.0.0/16"
print("kinds:", [d["kind"] for d in docs])
' "$CNI_IMAGE"
