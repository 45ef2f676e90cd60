#!/usr/bin/env bash
# The collection as users get it: build the artifact, install it into an empty path (outside this
# checkout), and load its modules, roles and playbooks from there.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
"$ROOT/.venv/bin/ansible-galaxy" collection build "$ROOT" --output-path "$WORK/dist" >/dev/null
cd "$WORK"
printf "[defaults]\n" >"$WORK/ansible.cfg"
export ANSIBLE_CONFIG="$WORK/ansible.cfg" ANSIBLE_COLLECTIONS_PATH="$WORK/installed"
ansible-galaxy collection install "$WORK"/dist/daprkit-dapr-*.tar.gz -p "$WORK/installed" --no-deps >/dev/null
# kubernetes.core (its doc fragment is used by our modules) is copied next to it, as the dependency
# `ansible-galaxy collection install` would bring; site-packages are not scanned, so nothing else is seen
mkdir -p "$WORK/installed/ansible_collections/kubernetes"
cp -r "$(python -c 'import ansible_collections.kubernetes.core as k; print(next(iter(k.__path__)))')" \
  "$WORK/installed/ansible_collections/kubernetes/core"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
DEV_ONLY='^(\.ansible|\.venv|\.cache|collections|tools|molecule|tests/e2e)/'
if tar tzf "$WORK"/dist/daprkit-dapr-*.tar.gz | grep -qE "$DEV_ONLY"; then
  echo "galaxy-check: build artifact contains development-only paths" >&2; exit 1
fi
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
  { tail -30 "$WORK/unit.log" >&2; echo "galaxy-check: the shipped unit tests fail in the installed copy" >&2; exit 1; }
# the execution environment definition the README points AWX users to must be one ansible-builder accepts
ansible-builder create -f "$ROOT/meta/execution-environment.yml" -c "$WORK/ee" >/dev/null
echo "galaxy-check: built, installed and loaded from $(ls "$WORK"/dist); docs lint clean; shipped unit tests pass;" \
  "ansible-builder accepts the EE definition"
