# daprkit.dapr - top-level entry points. The cluster factory lives in tools/cluster/.
SHELL := /bin/bash
.DEFAULT_GOAL := help

include tools/cluster/cluster.mk

VENV      := .venv
VENV_OK   := $(VENV)/.installed-$(shell cat test-requirements.txt requirements.txt | sha256sum | cut -c1-12)
# helm, kind and kubectl built by the cluster factory come first on PATH; the venv brings ansible.
export PATH := $(CURDIR)/$(VENV)/bin:$(DAPRKIT_CACHE)/bin:$(DAPRKIT_CACHE)/bin/kube:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export K8S_AUTH_KUBECONFIG ?= $(KUBECONFIG_PATH)
MOLECULE_SCENARIOS ?= manifests_daemonset manifests_deployment switch_strategy uninstall security helm_daemonset helm_deployment switch_backend security_helm rolling_deployment rolling_daemonset resilience upgrade

.PHONY: help venv lint unit sanity galaxy-check changelog-check kcore-bounds test-fast test-cluster test-awx test demo bench

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

$(VENV_OK): test-requirements.txt requirements.txt
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r test-requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(VENV_OK) ## Python tools in .venv (ansible-core 2.19, kubernetes.core, molecule, lint, pytest)

lint: venv lint-tools ## yamllint, ansible-lint (production profile), the generated docs, shellcheck of tools/
	yamllint .
	ansible-lint
	python tools/gen_schema_docs.py --check

unit: venv ## unit tests of the pure logic (render, validation, diff, readiness, helm values, netpol rules)
	python -m pytest -q tests/unit tools/cluster/tests/test_netpol.py

sanity: venv ## ansible-test sanity, no ignore file
	tools/sanity.sh

galaxy-check: venv ## the built archive: Galaxy's import (galaxy-importer, offline, alone), installed and loaded elsewhere, the sample EE
	tools/galaxy-check.sh

changelog-check: venv ## dry run of the 0.1.0 release notes in a temporary copy (New Modules/Roles/Playbooks, no bugfixes)
	python tools/changelog_check.py

kcore-bounds: venv ## the lowest and newest kubernetes.core galaxy.yml claims accept every call we make; the one below refuses
	python tools/kcore_bounds.py

test-fast: lint unit cluster-test sanity galaxy-check changelog-check kcore-bounds ## the fast tier: lint, unit, cluster tooling tests, sanity, installed-collection check (no cluster)

test-cluster: venv ## molecule scenarios on the kind cluster (skipped LOUDLY when images are absent)
	@tools/test-cluster.sh $(MOLECULE_SCENARIOS)

test-awx: venv ## the AWX path on kind: least-privilege token, ansible-runner, execution environment (tests/awx/run.sh)
	@tests/awx/run.sh

test: test-fast test-cluster ## every tier

demo: venv ## cluster + ansible-playbook site.yml + endpoints and one real call through each instance
	@$(MAKE) --no-print-directory cluster-engine cluster-registry cluster
	ansible-playbook site.yml
	@tools/demo-calls.sh

bench: venv ## ratios against helm, scaling 1/10/30, sidecar economics, latency, locality, side by side in one run (tools/bench)
	@tools/bench.sh
