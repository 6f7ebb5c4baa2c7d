# modelrouter. `make help` lists the targets.
SHELL := /bin/bash
ORT_VERSION ?= 1.24.1
ORT_LIB := $(CURDIR)/.cache/onnxruntime/$(ORT_VERSION)/libonnxruntime.so
export ONNXRUNTIME_SHARED_LIBRARY_PATH ?= $(ORT_LIB)
# A relative path is made absolute from here: go test runs each package in
# its folder, where it would name no file and every ONNX Runtime test fail.
override ONNXRUNTIME_SHARED_LIBRARY_PATH := $(if $(filter /%,$(firstword $(ONNXRUNTIME_SHARED_LIBRARY_PATH))),$(ONNXRUNTIME_SHARED_LIBRARY_PATH),$(if $(ONNXRUNTIME_SHARED_LIBRARY_PATH),$(CURDIR)/$(ONNXRUNTIME_SHARED_LIBRARY_PATH)))
export CGO_ENABLED := 1
# TRAIN_FLAGS / EVAL_FLAGS pass options through, e.g. TRAIN_FLAGS='--data DIR --seed 2'.
TRAIN_FLAGS ?=
EVAL_FLAGS ?=
GOFLAGS_TEST ?= -count=1
# VERSION names the dist tarball and is what `modelrouter help` prints.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DIST := dist/modelrouter-$(VERSION)-$(shell go env GOOS)-$(shell go env GOARCH)

.PHONY: help run test train eval bench vet ort build dist

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

ort: ## fetch the ONNX Runtime library from npm (onnxruntime-node) into .cache/
	@ORT_VERSION=$(ORT_VERSION) ./scripts/fetch-onnxruntime.sh

build: ort ## build bin/modelrouter (and fetch the ONNX Runtime library it loads)
	go build -o bin/modelrouter ./cmd/modelrouter

dist: ort ## build dist/modelrouter-<version>-linux-<arch>.tar.gz: bin/, lib/ (ONNX Runtime and its licence), THIRD_PARTY_NOTICES, README.md, modelrouter.service
	rm -rf $(DIST) $(DIST).tar.gz
	mkdir -p $(DIST)/bin $(DIST)/lib
	go build -ldflags "-X main.version=$(VERSION)" -o $(DIST)/bin/modelrouter ./cmd/modelrouter
	@# The licences of what the binary links (its recorded modules) and of lib/: they must travel with it.
	go run ./scripts/notices -binary $(DIST)/bin/modelrouter -onnxruntime-version $(ORT_VERSION) -o $(DIST)/THIRD_PARTY_NOTICES
	cp -L "$(ONNXRUNTIME_SHARED_LIBRARY_PATH)" $(DIST)/lib/libonnxruntime.so
	cp third_party/onnxruntime/LICENSE $(DIST)/lib/onnxruntime-LICENSE
	cp README.md scripts/modelrouter.service $(DIST)/
	@# The folder as installed: started from elsewhere, no variable, it must find lib/ itself.
	cd / && env -u ONNXRUNTIME_SHARED_LIBRARY_PATH $(CURDIR)/$(DIST)/bin/modelrouter route "Name a prime number." >/dev/null
	tar -C dist -czf $(DIST).tar.gz $(notdir $(DIST))
	@echo "$(DIST).tar.gz"

run: ort ## run the router on its embedded defaults at 127.0.0.1:8080
	go run ./cmd/modelrouter serve

test: ort ## run every test
	go test $(GOFLAGS_TEST) ./...

vet: ## go vet
	go vet ./...

train: ort ## retrain the router model into models/artifacts/ (default data: ../shared/data/canonical)
	go run ./cmd/modelrouter train $(TRAIN_FLAGS)

eval: ort ## evaluate the embedded router model on ../shared/data/canonical into eval-report/
	go run ./cmd/modelrouter eval --out eval-report $(EVAL_FLAGS)

bench: ort ## benchmarks: classifier speed, gateway overhead, store; then the 1,000 req/s load run
	go test -run '^$$' -bench . -benchmem ./classifier/ ./server/... ./store/
	MODELROUTER_LOAD=1000 MODELROUTER_LOAD_FOR=5s go test -count=1 -run TestLoad -v ./server/
	MODELROUTER_LOAD=2000 MODELROUTER_LOAD_FOR=5s go test -count=1 -run TestServeLoad -v ./cmd/modelrouter/
	MODELROUTER_LOAD=2000 MODELROUTER_LOAD_FOR=5s MODELROUTER_LOAD_ROUNDS=3 go test -count=1 -run TestServeProcessLoad -v ./cmd/modelrouter/
