#!/usr/bin/env bash
# `make bench` (the Makefile entry): the measurements of tools/bench/bench.py (results in
# docs/bench/results.json), then the picture drawn from the results file (docs/bench/bench.png) with
# matplotlib from its own venv (tools/bench/requirements.txt; not in .venv, the fast tiers need none of it).
set -euo pipefail
cd "$(dirname "$0")/.."
export KUBECONFIG=${K8S_AUTH_KUBECONFIG:-$HOME/.cache/daprkit/kind/kubeconfig}
PLOT_VENV=${DAPRKIT_CACHE:-$HOME/.cache/daprkit}/bench-venv
stamp="$PLOT_VENV/.installed-$(sha256sum tools/bench/requirements.txt | cut -c1-12)"
if [[ ! -e $stamp ]]; then
  python3 -m venv "$PLOT_VENV"
  "$PLOT_VENV/bin/pip" install --quiet --disable-pip-version-check -r tools/bench/requirements.txt
  rm -f "$PLOT_VENV"/.installed-* && touch "$stamp"
fi
python3 tools/bench/bench.py
"$PLOT_VENV/bin/python" tools/bench/plot.py "${BENCH_RESULTS:-docs/bench/results.json}"
