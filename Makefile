# daprkit.dapr - top-level entry points. The cluster factory lives in tools/cluster/.
SHELL := /bin/bash
.DEFAULT_GOAL := help

include tools/cluster/cluster.mk

VENV      := .venv
# The newest ansible-core we claim runs in its own venv on Python 3.13 (ansible-core >= 2.20 needs 3.12+):
# `make test-fast-newest` reruns unit, sanity and galaxy-check there (make <target> VENV=.venv-newest).
VENV_NEWEST := .venv-newest
NEWEST    := $(filter $(VENV_NEWEST),$(VENV))
VENV_REQS := $(if $(NEWEST),test-requirements-newest.txt,test-requirements.txt)
VENV_PY   := $(if $(NEWEST),$(shell pyenv root 2>/dev/null)/versions/3.13.0/bin/python,python3)
VENV_OK   := $(VENV)/.installed-$(shell cat $(VENV_REQS) requirements.txt | sha256sum | cut -c1-12)
# helm, kind and kubectl built by the cluster factory come first on PATH; the venv brings ansible.
# HELM=4: the factory's helm4 is `helm` for everything make runs (make test-awx HELM=4); make test-cluster HELM=4
# runs every scenario as its @helm4 variant (tools/test-cluster.sh: from .venv-newest, whose kubernetes.core runs Helm 4)
export HELM ?= 3
export PATH := $(CURDIR)/$(VENV)/bin:$(if $(filter 4,$(HELM)),$(DAPRKIT_CACHE)/helm4-path:)$(DAPRKIT_CACHE)/bin:$(DAPRKIT_CACHE)/bin/kube:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export K8S_AUTH_KUBECONFIG ?= $(KUBECONFIG_PATH)
# When this make run started: the cluster tier's time budget (DAPRKIT_RUN_BUDGET) counts from here, fast tier included.
# Simply expanded, once: `?=` would be recursive and re-read the clock in every recipe (CI's tier then counted its
# 75 minutes from its own start, and the whole run took 5208 s)
DAPRKIT_RUN_START := $(or $(DAPRKIT_RUN_START),$(shell date +%s))
export DAPRKIT_RUN_START
# The cluster tier: molecule scenarios (<scenario>, or <scenario>@helm4 / @helm4-configmap: with Helm 4) and checks of
# their own (test-<name>: tests/<name>/run.sh), two at a time in this order, never two of one scenario at once;
# resilience, upgrade and test-fleet alone (tools/test-cluster.sh). The whole list takes about 110 minutes on 2 cores,
# more than CI's budget (DAPRKIT_RUN_BUDGET, 75 minutes for the whole `make test`), and the tier leaves out, loudly,
# what does not fit. So the order is by what an entry alone proves: the faults and the upgrade first, then one entry
# per backend, strategy and feature (scale to zero, Helm 4 with HELM_DRIVER=configmap, AWX), then the second ones,
# and the Helm 4 repeats of scenarios that ran with Helm 3 last.
CLUSTER_TIER ?= resilience upgrade rolling_deployment scale_to_zero switch_backend@helm4-configmap rolling_daemonset \
  security_helm test-awx helm_daemonset manifests_deployment test-fleet switch_strategy security uninstall \
  manifests_daemonset helm_deployment switch_backend helm_daemonset@helm4 helm_deployment@helm4

.PHONY: help venv lint unit sanity galaxy-check changelog-check kcore-bounds test-fast test-fast-newest no-deprecations test-cluster test-fleet test-awx test demo bench

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

$(VENV_OK): $(VENV_REQS) requirements.txt
	@test -x $(VENV)/bin/python || $(VENV_PY) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $(VENV_REQS) -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(VENV_OK) ## Python tools in .venv (ansible-core 2.19, kubernetes.core, molecule, lint, pytest)

lint: venv lint-tools ## yamllint, ansible-lint (production profile), the generated docs, shellcheck of tools/
	yamllint .
	ansible-lint
	python tools/gen_schema_docs.py --check

unit: venv ## unit tests of the pure logic (render, validation, diff, readiness, helm values, netpol rules)
	python -m pytest -q tests/unit tools/cluster/tests/test_netpol.py

sanity: venv ## ansible-test sanity, no ignore file
	VENV=$(VENV) tools/sanity.sh

galaxy-check: venv ## the built archive: Galaxy's import (galaxy-importer, offline, alone), installed and loaded elsewhere, the sample EE
	tools/galaxy-check.sh

changelog-check: venv ## dry run of the 0.1.0 release notes in a temporary copy (New Modules/Roles/Playbooks, no bugfixes)
	python tools/changelog_check.py

kcore-bounds: venv ## the lowest and newest kubernetes.core galaxy.yml claims accept every call we make; the one below refuses
	@$(MAKE) --no-print-directory VENV=$(VENV_NEWEST) venv
	python tools/kcore_bounds.py

no-deprecations: venv ## offline: every filter, role and module of ours; any deprecation warning fails (tools/no_deprecations.py)
	python tools/no_deprecations.py

test-fast: lint unit cluster-test sanity galaxy-check changelog-check kcore-bounds test-fast-newest ## the fast tier: lint, unit, cluster tooling tests, sanity, installed-collection check (no cluster), on the lowest and the newest ansible-core

test-fast-newest: ## unit, sanity, galaxy-check and no-deprecations on the newest ansible-core (.venv-newest, Python 3.13)
	@$(MAKE) --no-print-directory VENV=$(VENV_NEWEST) unit sanity galaxy-check no-deprecations

test-cluster: venv ## molecule scenarios on the kind cluster, the helm ones with Helm 3 and 4 (LOUD about what cannot run)
	@$(MAKE) --no-print-directory VENV=$(VENV_NEWEST) venv
	@tools/test-cluster.sh $(CLUSTER_TIER)

test-fleet: venv ## site.yml over three kind clusters in one run, one of them down (tests/fleet/run.sh)
	@tests/fleet/run.sh

test-awx: venv ## the AWX path on kind: least-privilege token, ansible-runner, execution environment (tests/awx/run.sh)
	@tests/awx/run.sh

test: test-fast test-cluster ## every tier

demo: venv ## cluster + site.yml (with a Redis state store, pubsub and an app) + real calls through each instance
	@$(MAKE) --no-print-directory cluster-engine cluster-registry cluster
	@# the Dapr CRDs first: the demo's Redis Components and its app must exist before daprd starts
	ansible-playbook daprkit.dapr.control_plane
	@tools/demo-app.sh
	ansible-playbook site.yml
	@tools/demo-calls.sh

bench: venv ## ratios against helm, scaling 1/10/30, sidecar economics, latency, locality, side by side in one run (tools/bench)
	@tools/bench.sh
