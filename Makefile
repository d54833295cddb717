# Bellwork: `make run` starts the platform locally, `make test` runs the tests.
# `make help` lists every target.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The locally built control plane (see hack/controlplane.sh); envtest reads
# its binaries from KUBEBUILDER_ASSETS.
CONTROLPLANE_DIR := $(shell hack/controlplane.sh dir)
export KUBEBUILDER_ASSETS := $(CONTROLPLANE_DIR)
# The local S3 server (see hack/s3server.sh); internal/dev/s3server runs it.
export BELLWORK_S3SERVER := $(shell hack/s3server.sh dir)

CONTROLLER_GEN := go tool controller-gen
GENERATED := api/v1/zz_generated.deepcopy.go config/crd config/rbac charts/bellwork/crds charts/bellwork/templates/clusterrole.yaml

.PHONY: help
help: ## List the targets with one line each.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

##@ Everyday

.PHONY: run
run: deps s3server ## Start the whole platform locally (Postgres, control plane, S3 server, operator and the LMS fleet it runs), apply the samples, print the sign-in link (Ctrl-C stops).
	@go build -o bin/platform ./hack/platform
	@bin/platform

.PHONY: lms
lms: ## Run the LMS alone against a Postgres of its own and print the admin's sign-in link (Ctrl-C stops).
	go run ./apps/lms/cmd/lms-quickstart

.PHONY: test
test: deps check-generated check-tidy vet controlplane s3server ## Run every test (unit, API server, control plane, Postgres, Chromium).
	BELLWORK_REQUIRE_BROWSER=1 go test -count=1 -timeout 20m ./...

.PHONY: e2e
e2e: deps controlplane s3server ## Run the whole-platform journeys in Chromium (screenshots in e2e/artifacts) and the lmsdeploy rollout suite.
	go test -tags e2e -count=1 -timeout 20m -v ./controllers/rollouttest/
	go test -tags e2e -count=1 -timeout 30m -v ./e2e/

.PHONY: bench
bench: deps controlplane s3server ## Run the benchmarks and print ratios against baselines measured in the same run.
	go test -run '^$$' -bench . -benchtime 1x -timeout 3h ./...
	go test -tags e2e -run '^$$' -bench . -benchtime 1x -timeout 20m ./controllers/rollouttest/

.PHONY: build
build: ## Build the operator into bin/.
	go build -o bin/bellwork .

##@ Generated code

.PHONY: manifests
manifests: ## Write CRDs (config/crd/bases) and RBAC (config/rbac) from the Go markers, and copy both into the chart.
	$(CONTROLLER_GEN) crd rbac:roleName=bellwork-operator paths="./api/...;./controllers/...;./internal/admission/..." \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	rm -f charts/bellwork/crds/*.yaml && cp config/crd/bases/*.yaml charts/bellwork/crds/
	{ echo "# Generated from config/rbac/role.yaml by make manifests; do not edit."; cat config/rbac/role.yaml; } > charts/bellwork/templates/clusterrole.yaml

.PHONY: generate
generate: ## Write deepcopy functions (api/v1/zz_generated.deepcopy.go).
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths="./api/..."

.PHONY: check-generated
check-generated: manifests generate ## Fail when generated files differ from what is committed.
	@stale=$$(git diff --name-only -- $(GENERATED); git ls-files --others --exclude-standard -- $(GENERATED)); \
	if [ -n "$$stale" ]; then \
		echo "error: generated files are stale; run 'make manifests generate' and commit the result:" >&2; \
		echo "$$stale" >&2; exit 1; fi

.PHONY: check-tidy
check-tidy: ## Fail when go.mod or go.sum differ from what `go mod tidy` would write (changes nothing).
	@if ! diff=$$(go mod tidy -diff 2>&1); then \
		echo "error: go.mod/go.sum are not tidy; run 'go mod tidy' and commit the result:" >&2; \
		echo "$$diff" >&2; exit 1; fi

.PHONY: fmt
fmt: ## Format the Go code.
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## Check formatting and run go vet.
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then \
		echo "error: not gofmt-formatted (run make fmt): $$unformatted" >&2; exit 1; fi
	go vet ./...

##@ Local platform

.PHONY: controlplane
controlplane: ## Build the local control plane from source (cached in bin/controlplane/).
	hack/controlplane.sh build

.PHONY: s3server
s3server: ## Build the local S3 server (Versity's S3 gateway) from source (cached in bin/s3server/).
	hack/s3server.sh build

.PHONY: deps
deps: ## Install missing system packages (kubectl, postgresql, pgbouncer, chromium) with apt-get.
	hack/install-deps.sh

.PHONY: cluster-up
cluster-up: deps ## Start the local control plane in the background; kubeconfig in .local/kubeconfig.
	hack/cluster-up.sh

.PHONY: clean-local
clean-local: ## Remove local state (.local: cluster, Postgres data, logs, mail) after asking.
	@read -r -p "Remove .local (the local cluster's and Postgres's data, logs and mail)? [y/N] " answer; \
	if [ "$$answer" = y ] || [ "$$answer" = Y ]; then rm -rf .local && echo "Removed .local."; else echo "Kept .local."; fi

.PHONY: cluster-down
cluster-down: ## Stop the local control plane (its data is kept).
	hack/cluster-down.sh
