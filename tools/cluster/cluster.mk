# tools/cluster/cluster.mk - offline kind cluster factory (included by the root Makefile).
# Everything is pinned in tools/cluster/versions.env; caches live in $(DAPRKIT_CACHE).
CLUSTER_TOOLS   := tools/cluster
DAPRKIT_CACHE   ?= $(HOME)/.cache/daprkit
KUBECONFIG_PATH ?= $(DAPRKIT_CACHE)/kind/kubeconfig
export DAPRKIT_CACHE KUBECONFIG_PATH

.PHONY: cluster cluster-delete cluster-check images images-previous images-present cluster-engine cluster-registry \
        cluster-test cluster-kubeconfig cluster-report cluster-mirror lint-tools cluster-fleet cluster-fleet-delete

images: ## build every image, binary and chart the cluster needs (cached, resumable)
	@$(CLUSTER_TOOLS)/lib/images.sh

images-previous: ## the older Dapr release of the upgrade tests (DAPR_PREVIOUS_VERSION): images + chart (~20 min cold)
	@$(CLUSTER_TOOLS)/lib/images.sh --previous

cluster: ## build what is missing, create kind cluster daprkit (1 cp + 2 workers), load Dapr images
	@$(CLUSTER_TOOLS)/images-present 2>/dev/null && [ -x $(DAPRKIT_CACHE)/bin/kind ] || $(CLUSTER_TOOLS)/lib/images.sh
	@$(CLUSTER_TOOLS)/lib/cluster-up.sh

cluster-fleet: cluster ## the main cluster plus two single-node clusters daprkit-fleet-1 and -2 (multi-cluster checks)
	@$(CLUSTER_TOOLS)/lib/cluster-fleet.sh

cluster-fleet-delete: ## delete the fleet's small clusters (never the main one)
	@$(CLUSTER_TOOLS)/lib/cluster-fleet.sh --delete

cluster-delete: ## delete the kind cluster (keeps all caches and images)
	@$(DAPRKIT_CACHE)/bin/kind delete cluster --name $${DAPRKIT_CLUSTER_NAME:-daprkit} --kubeconfig $(KUBECONFIG_PATH)

cluster-check: ## prove the cluster is real (DNS, cross-node Service, Dapr control plane chart), then clean up
	@$(CLUSTER_TOOLS)/lib/cluster-check.sh

images-present: ## exit 0 only if every cached image the cluster needs exists
	@$(CLUSTER_TOOLS)/images-present

cluster-mirror: ## ARTIFACTS="<chart>.tgz <image>.tar ...": charts -> local OCI registry, images -> docker + every node
	@$(CLUSTER_TOOLS)/lib/mirror.sh $(ARTIFACTS)

cluster-engine: ## install/configure/start the docker engine only
	@$(CLUSTER_TOOLS)/lib/docker-engine.sh

cluster-registry: ## start the local OCI chart registry only
	@$(CLUSTER_TOOLS)/lib/registry.sh

cluster-test: ## fast tests of the cluster tooling (no cluster needed)
	@$(CLUSTER_TOOLS)/tests/run.sh

lint-tools: venv ## shellcheck over every script of tools/, no line over 120 characters there
	@$(CLUSTER_TOOLS)/lint-tools

cluster-kubeconfig: ## print the kubeconfig path of the kind cluster
	@echo $(KUBECONFIG_PATH)

cluster-report: ## print measured build timings (per step, peak RSS) and disk usage
	@$(CLUSTER_TOOLS)/lib/report.sh
