#!/usr/bin/env bash
# ansible-test needs the collection at .../ansible_collections/<namespace>/<name>: copy the tracked
# files there and run sanity against them (a venv per test, the Python of $VENV, no ignore file).
# VENV (default .venv) picks the ansible-core whose own ansible-test runs: make sanity VENV=.venv-newest.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV="$ROOT/${VENV:-.venv}"
PYVER=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
DEST="$ROOT/.cache/sanity/ansible_collections/daprkit/dapr"
rm -rf "$DEST" && mkdir -p "$DEST"
cd "$ROOT"
# ansible-test's shellcheck test is skipped silently without the program: install it (Debian package).
command -v shellcheck >/dev/null ||
  { apt-get install -y -qq shellcheck >/dev/null 2>&1 || echo "sanity: could not install shellcheck" >&2; }
# tools/demo holds Kubernetes manifests (several YAML documents), not collection content (tools is not shipped)
not_collection='^(collections|tools/cluster|tools/demo)/'
git ls-files -co --exclude-standard | grep -Ev "$not_collection" | while read -r f; do
  [ -e "$f" ] && mkdir -p "$DEST/$(dirname "$f")" && cp -p "$f" "$DEST/$f"
done
# ansible-test bootstraps pip in its venvs with a script from ci-files.testing.ansible.com (unreachable here).
# The pip it pins is a literal in get_venv_packages (24.2 in ansible-core 2.19, 25.2 in 2.21).
PIP_VERSION=$("$VENV/bin/python" -c '
import re, ansible_test._internal.python_requirements as r
print(re.search(r"pip=.([0-9.]+).", open(r.__file__).read()).group(1))' 2>/dev/null || true)
for v in "${PIP_VERSION:-24.2}" 24.2; do
  mkdir -p ~/.ansible/test/cache && cp "$ROOT/tools/get_pip_shim.py" ~/.ansible/test/cache/get_pip_"${v//./_}".py
done
# kubernetes.core (a dependency: our modules use its connection spec, client and doc fragment)
KCORE=$("$VENV/bin/python" -c 'import ansible_collections.kubernetes.core as k; print(list(k.__path__)[0])')
rm -rf "$ROOT/.cache/sanity/ansible_collections/kubernetes"
mkdir -p "$ROOT/.cache/sanity/ansible_collections/kubernetes"
cp -r "$KCORE" "$ROOT/.cache/sanity/ansible_collections/kubernetes/core"
cd "$DEST"
if git init -q .; then git add -A >/dev/null 2>&1 || true; fi
exec "$VENV/bin/ansible-test" sanity --local --requirements --python "$PYVER" --color no "$@"
