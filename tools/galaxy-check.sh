#!/usr/bin/env bash
# The collection as Galaxy and users get it, from the built archive:
#   1. Galaxy's import (galaxy-importer, offline, the collection alone: tools/galaxy_import.py)
#   2. installed into an empty path (outside this checkout) with kubernetes.core beside it: every module,
#      role and playbook loads, the docs lint clean, the shipped unit tests pass, the playbooks' action group
#      hands its defaults to our modules and to kubernetes.core's
#   3. the sample execution environment (docs/execution-environment/): ansible-builder create, with the
#      archive as its collection source; its galaxy stage replayed here (the archive installed as from
#      Galaxy) and ansible-builder introspect of the result lists what meta/execution-environment.yml declares
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
started=$SECONDS
fail() { echo "galaxy-check: $*" >&2; exit 1; }
"$ROOT/.venv/bin/ansible-galaxy" collection build "$ROOT" --output-path "$WORK/dist" >/dev/null
ARCHIVE=$(echo "$WORK"/dist/daprkit-dapr-*.tar.gz)
DEV_ONLY='^(\.ansible|\.venv|\.cache|collections|tools|molecule|tests/e2e)/'
if tar tzf "$ARCHIVE" | grep -qE "$DEV_ONLY"; then fail "build artifact contains development-only paths"; fi

# -- 1. Galaxy's import -------------------------------------------------------------------------------
python "$ROOT/tools/galaxy_import.py" "$ARCHIVE"

# -- 2. installed, as users get it ----------------------------------------------------------------------
cd "$WORK"
printf "[defaults]\n" >"$WORK/ansible.cfg"
export ANSIBLE_CONFIG="$WORK/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$WORK/installed"
ansible-galaxy collection install "$ARCHIVE" -p "$WORK/installed" --no-deps >/dev/null
# kubernetes.core (our modules use its connection spec and client) is copied next to it, as the dependency
# `ansible-galaxy collection install` would bring; site-packages are not scanned, so nothing else is seen
KCORE=$(python -c 'import ansible_collections.kubernetes.core as k; print(next(iter(k.__path__)))')
mkdir -p "$WORK/installed/ansible_collections/kubernetes"
cp -r "$KCORE" "$WORK/installed/ansible_collections/kubernetes/core"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
for module in dapr_shared dapr_shared_info; do ansible-doc "daprkit.dapr.$module" >/dev/null; done
for role in dapr_control_plane dapr_shared; do ansible-doc -t role "daprkit.dapr.$role" >/dev/null; done
for playbook in site control_plane shared uninstall; do
  ansible-playbook "daprkit.dapr.$playbook" --syntax-check >/dev/null
done
# the documentation as the docsite renders it, from the installed copy: every plugin and role documented,
# every O()/P()/M() reference resolving (antsibull-docs copies the dependencies it finds through
# `ansible-galaxy collection list`: the kubernetes.core copy above, never the venv's, which lies inside
# this git checkout, where it would copy only git-tracked files)
(cd "$WORK/installed/ansible_collections/daprkit/dapr" &&
  antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs .) ||
  { echo "galaxy-check: antsibull-docs lint-collection-docs failed on the installed collection; collections" \
      "it could copy from:" >&2; ansible-galaxy collection list >&2 || true; exit 1; }
# the unit tests the archive ships run from the installed copy (those that need tools/ are left out by
# build_ignore); the collections root on PYTHONPATH, as ansible-test's layout has it
(cd "$WORK/installed/ansible_collections/daprkit/dapr" &&
  PYTHONPATH="$WORK/installed" python -m pytest -q -p no:cacheprovider tests/unit >"$WORK/unit.log" 2>&1) ||
  { tail -30 "$WORK/unit.log" >&2; fail "the shipped unit tests fail in the installed copy"; }
# the playbooks set kubeconfig and context through group/daprkit.dapr.role_modules (meta/runtime.yml): each
# module must receive them. The kubeconfig does not exist, so every task fails, naming what it was given.
cat >"$WORK/role_modules.yml" <<'EOF'
---
- name: Defaults of group/daprkit.dapr.role_modules reach every member
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/daprkit.dapr.role_modules:
      kubeconfig: /nonexistent/role-modules-kubeconfig
      context: role-modules-context
  tasks:
    - {name: k8s, kubernetes.core.k8s: {definition: {kind: ConfigMap}}, register: k8s, ignore_errors: true}
    - {name: k8s_info, kubernetes.core.k8s_info: {kind: Service}, register: k8s_info, ignore_errors: true}
    - {name: helm, kubernetes.core.helm: {name: x, namespace: x, state: absent}, register: helm, ignore_errors: true}
    - {name: ours, daprkit.dapr.dapr_shared_info: {namespace: x}, register: ours, ignore_errors: true}
    # kubernetes.core names the kubeconfig it was given; ours hides it (no_log) and names the context
    - name: Every module was given the group's defaults
      ansible.builtin.assert:
        that:
          - "'/nonexistent/role-modules-kubeconfig' in k8s.msg"
          - "'/nonexistent/role-modules-kubeconfig' in k8s_info.msg"
          - "'/nonexistent/role-modules-kubeconfig' in helm.msg"
          - "'context=role-modules-context' in ours.msg"
EOF
ansible-playbook -e ansible_python_interpreter="$(command -v python)" "$WORK/role_modules.yml" \
  >"$WORK/role_modules.log" 2>&1 ||
  { tail -30 "$WORK/role_modules.log" >&2; fail "group/daprkit.dapr.role_modules does not reach every member"; }
echo "galaxy-check: installed from the archive: modules, roles and playbooks load; docs lint clean; shipped unit" \
  "tests pass; group/daprkit.dapr.role_modules reaches kubernetes.core.k8s, k8s_info, helm and our modules"

# -- 3. the sample execution environment ---------------------------------------------------------------
# the definition as users copy it, with the archive where its README says to put it
cp -r "$ROOT/docs/execution-environment" "$WORK/ee-src"
cp "$ARCHIVE" "$WORK/ee-src/ee-local/daprkit-dapr.tar.gz"
ansible-builder create -f "$WORK/ee-src/execution-environment.yml" -c "$WORK/ee" >/dev/null
# named Containerfile for podman, Dockerfile when ansible-builder finds only docker
CONTAINERFILE=$WORK/ee/Containerfile
[[ -f $CONTAINERFILE ]] || CONTAINERFILE=$WORK/ee/Dockerfile
[[ -f $CONTAINERFILE ]] || fail "ansible-builder create wrote no Containerfile"
cmp -s "$ARCHIVE" "$WORK/ee/_build/local/daprkit-dapr.tar.gz" || fail "the build context lacks the archive"
grep -qx 'COPY _build/local/ /opt/ee-local/' "$CONTAINERFILE" ||
  fail "the Containerfile does not copy ee-local/ to /opt/ee-local/"
grep -qE '^RUN .*ansible-galaxy collection install .*-r requirements.yml' "$CONTAINERFILE" ||
  fail "the Containerfile's galaxy stage installs no collection requirements"
python - "$WORK/ee/_build/requirements.yml" <<'EOF' ||
import sys, yaml
entries = yaml.safe_load(open(sys.argv[1]))['collections']
ours = [e for e in entries if 'daprkit' in str(e.get('name'))]
assert ours == [{'name': '/opt/ee-local/daprkit-dapr.tar.gz', 'type': 'file'}], entries
EOF
  fail "the EE's galaxy requirements do not install daprkit.dapr from the archive"
# the galaxy stage, replayed with the context's requirements (the image path mapped to the context): the
# dependency archive first, as an air-gapped build gives it, then the requirements, offline, as from Galaxy
mkdir -p "$WORK/deps"
python "$ROOT/tests/awx/collection_archive.py" "$KCORE" "$WORK/deps/kubernetes-core.tar.gz" >/dev/null
sed "s#/opt/ee-local/#$WORK/ee/_build/local/#" "$WORK/ee/_build/requirements.yml" >"$WORK/ee-requirements.yml"
(export ANSIBLE_COLLECTIONS_PATH="$WORK/ee-collections" ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1
  ansible-galaxy collection install --offline --no-deps -p "$WORK/ee-collections" "$WORK/deps/kubernetes-core.tar.gz" &&
  cd "$WORK/ee/_build" && ansible-galaxy collection install --offline -r "$WORK/ee-requirements.yml" \
    --collections-path "$WORK/ee-collections") >"$WORK/ee-galaxy.log" 2>&1 ||
  { tail -20 "$WORK/ee-galaxy.log" >&2; fail "the EE's galaxy stage cannot install the archive"; }
[[ -f $WORK/ee-collections/ansible_collections/daprkit/dapr/MANIFEST.json ]] ||
  { tail -20 "$WORK/ee-galaxy.log" >&2; fail "the EE's galaxy stage did not install daprkit.dapr"; }
# what the builder stage then asks ansible-builder: the Python and system packages of the installed collections
ansible-builder introspect "$WORK/ee-collections" >"$WORK/introspect.yml" 2>"$WORK/introspect.err" ||
  { cat "$WORK/introspect.err" >&2; fail "ansible-builder introspect failed"; }
python - "$WORK/introspect.yml" "$ROOT/requirements.txt" "$ROOT/bindep.txt" <<'EOF' ||
import re, sys, yaml
from ansible_builder._target_scripts.introspect import EXCLUDE_REQUIREMENTS
found, requirements, bindep = yaml.safe_load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
ours = lambda kind: [line.split('  # from collection daprkit.dapr')[0] for line in found.get(kind) or []
                     if line.endswith('# from collection daprkit.dapr')]
lines = lambda path: [l.strip() for l in open(path) if l.strip() and not l.startswith('#')]
# ansible-builder drops what every EE has anyway (PyYAML comes with ansible-core)
python = [l for l in lines(requirements) if re.split(r'[<>=!~;\[ ]', l)[0].lower() not in EXCLUDE_REQUIREMENTS]
missing = ['python: ' + l for l in python if l not in ours('python')] + \
          ['system: ' + l for l in lines(bindep) if l not in ours('system')]
if not python or not lines(bindep) or missing:
    sys.exit('introspect of the installed archive misses %s:\n%s' % (missing or 'everything', open(sys.argv[1]).read()))
print('galaxy-check: sample EE: ansible-builder create takes daprkit.dapr from the archive; introspect of the'
      ' installed archive lists python %s and system %s from daprkit.dapr' % (ours('python'), ours('system')))
EOF
  fail "meta/execution-environment.yml's dependencies do not reach ansible-builder introspect"
echo "galaxy-check: all checks passed in $((SECONDS - started)) s"
