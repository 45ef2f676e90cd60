# daprkit.dapr - top-level entry points. The cluster factory lives in tools/cluster/.
SHELL := /bin/bash
.DEFAULT_GOAL := help

include tools/cluster/cluster.mk

.PHONY: help
help:
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort
