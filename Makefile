# pocd — build, run, test. `make help` lists the targets.

GO            ?= go
# Every build and test uses the tags of the devnet's static binaries (the
# pure-Go resolver and user lookup), so that the SDK compiles once: the net
# package's files differ under netgo, and everything above it would be
# compiled a second time for the static build.
TAGS          := netgo,osusergo
GOFLAGS       += -tags=$(TAGS)
export GOFLAGS
BUILDDIR      ?= $(CURDIR)/build
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT        ?= $(shell git rev-parse HEAD 2>/dev/null)
GOBIN         ?= $(shell $(GO) env GOPATH)/bin
LDFLAGS := -X github.com/cosmos/cosmos-sdk/version.Name=pocd \
           -X github.com/cosmos/cosmos-sdk/version.AppName=pocd \
           -X github.com/cosmos/cosmos-sdk/version.Version=$(VERSION) \
           -X github.com/cosmos/cosmos-sdk/version.Commit=$(COMMIT)

# Plugin versions used by scripts/protocgen.sh (protoc itself: Debian's protobuf-compiler 3.21).
GOCOSMOS_VERSION     := v1.7.2
GRPC_GATEWAY_VERSION := v1.16.0
OPENAPIV2_VERSION    := v2.27.8

.PHONY: explorer-build explorer-check mutation help build install localnet load load-devnet query-bench devnet-build devnet-prev devnet-up devnet-down devnet-status test-devnet test test-unit test-race test-arm64 test-e2e vet proto-tools proto-tools-if-missing proto-vendor proto-gen proto-check fuzz clean

help:
	@echo "Main jobs"
	@echo "  make localnet      build and run a one-validator chain with ingest and a simulated fleet of 50 hotspots (1 min to the first PoC)"
	@echo "  make test          everything CI runs: vet, proto-check, unit, arm64, end-to-end, devnet (about 40 min cold, 20 min warm; needs Docker, qemu, protoc: bash .ci/run installs them)"
	@echo "Quick targets"
	@echo "  make build         ./build/pocd and ./build/hotspotd (7 min cold, seconds warm)"
	@echo "  make test-unit     keepers, rules, ingest, wire, gwmp, simulator (2-3 min warm; no Docker)"
	@echo "  make test-e2e      real single-node chains and hotspotd processes (about 9 min; no Docker)"
	@echo "  make test-arm64    geometry and PoC rules built for arm64, run under qemu (1 min; gcc-aarch64-linux-gnu, qemu-user-static)"
	@echo "  make test-devnet   the docker-compose devnet from the previous release: governed upgrade under cosmovisor, state sync, fault tests, zero-height export and restart (about 15 min; Docker, git history for make devnet-prev)"
	@echo "  make fuzz          each fuzzer for FUZZTIME (default 30s; 7 fuzzers, about 4 min)"
	@echo "  make mutation      gremlins $(GREMLINS_VERSION) over the consensus packages and ingest, efficacy per package (slow: several hours; MUTATION_PKGS=./x/poc/verify for one)"
	@echo "  make load          ingest throughput on one node, RATE/HOTSPOTS/DURATION/FLOOD (about 4 min; docs/benchmarks.md)"
	@echo "  make load-devnet   the same on the four-validator devnet, 1,000 reports/s for 3 min by default (about 8 min; Docker)"
	@echo "  make query-bench   hotspot query latency through gRPC on a node seeded with HOTSPOTS hotspots (default 10000; docs/benchmarks.md)"
	@echo "Devnet"
	@echo "  make devnet-up     four validators, a full node and a 100-hotspot fleet under docker-compose (Docker)"
	@echo "  make devnet-status / devnet-down   heights, peers, ingest counters, last paid epoch / remove everything"
	@echo "Explorer"
	@echo "  make explorer-build  rebuild the explorer bundle explorer/dist from explorer/web (npm, exact versions; 1 min)"
	@echo "  make explorer-check  fail if the committed bundle differs from a fresh build (run by make test)"
	@echo "Protobuf"
	@echo "  make proto-gen     regenerate Go and OpenAPI from the buf workspace (buf.yaml; offline, needs protoc)"
	@echo "  make proto-check   fail if committed generated files differ from a fresh generation"

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BUILDDIR)/pocd ./cmd/pocd
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BUILDDIR)/hotspotd ./cmd/hotspotd

install:
	$(GO) install -ldflags '$(LDFLAGS)' ./cmd/pocd ./cmd/hotspotd

# --- devnet (networks/devnet, docs/devnet.md) --------------------------------
DEVNET  := networks/devnet
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
# Static binaries for FROM-scratch images: cgo (H3) linked statically, the
# pure-Go DNS resolver so container names resolve without libc's NSS.
STATIC := CGO_ENABLED=1 $(GO) build -ldflags '$(LDFLAGS) -linkmode external -extldflags "-static"'

# The devnet's nodes run under cosmovisor (tools/cosmovisor pins it). The
# upgrade test starts the chain on the previous release, built from git at
# DEVNET_UPGRADE_FROM, and upgrades it to this tree by the DEVNET_UPGRADE plan.
DEVNET_UPGRADE      := v2
DEVNET_UPGRADE_FROM := 73c6697214ba3d619e4a3d5b39829aab5d4c3164
PREV_LDFLAGS := -X github.com/cosmos/cosmos-sdk/version.Name=pocd \
                -X github.com/cosmos/cosmos-sdk/version.AppName=pocd \
                -X github.com/cosmos/cosmos-sdk/version.Version=prev-$(shell echo $(DEVNET_UPGRADE_FROM) | cut -c1-7) \
                -X github.com/cosmos/cosmos-sdk/version.Commit=$(DEVNET_UPGRADE_FROM)

devnet-build:
	$(STATIC) -o $(DEVNET)/image/pocd ./cmd/pocd
	$(STATIC) -o $(DEVNET)/image/hotspotd ./cmd/hotspotd
	cd tools/cosmovisor && CGO_ENABLED=0 $(GO) build -o $(CURDIR)/$(DEVNET)/image/cosmovisor cosmossdk.io/tools/cosmovisor/cmd/cosmovisor
	docker build -q -t pocd-devnet:local $(DEVNET)/image

# The previous release's pocd, for the upgrade test, built once per commit (a
# shallow clone fetches the commit first).
devnet-prev:
	@if [ -x $(DEVNET)/image/pocd-prev ] && [ "$$(cat $(BUILDDIR)/prev.commit 2>/dev/null)" = "$(DEVNET_UPGRADE_FROM)" ]; then \
	  echo "$(DEVNET)/image/pocd-prev is $(DEVNET_UPGRADE_FROM)"; exit 0; fi; \
	set -e; \
	git cat-file -e $(DEVNET_UPGRADE_FROM)^{commit} 2>/dev/null || git fetch -q --depth 1 origin $(DEVNET_UPGRADE_FROM); \
	rm -rf $(BUILDDIR)/prev && mkdir -p $(BUILDDIR)/prev; \
	git archive $(DEVNET_UPGRADE_FROM) | tar -x -C $(BUILDDIR)/prev; \
	cd $(BUILDDIR)/prev && CGO_ENABLED=1 $(GO) build -ldflags '$(PREV_LDFLAGS) -linkmode external -extldflags "-static"' -o $(CURDIR)/$(DEVNET)/image/pocd-prev ./cmd/pocd; \
	echo $(DEVNET_UPGRADE_FROM) > $(BUILDDIR)/prev.commit

devnet-up: build devnet-build
	@[ -d $(DEVNET)/data ] || POCD=$(BUILDDIR)/pocd bash $(DEVNET)/genesis.sh
	cd $(DEVNET) && $(COMPOSE) up -d
	@echo "devnet up: apps use the full node at 127.0.0.1:26657 (RPC), :9090 (gRPC), :1317 (REST); make devnet-status"

devnet-down:
	-cd $(DEVNET) && $(COMPOSE) down -v --remove-orphans
	rm -rf $(DEVNET)/data

devnet-status:
	@$(GO) run ./$(DEVNET)/status

# Fault tests on a real devnet (needs a Docker engine; .ci/run starts one).
test-devnet: build devnet-prev devnet-build
	POCD_BINARY=$(BUILDDIR)/pocd POCD_PREV_BINARY=$(CURDIR)/$(DEVNET)/image/pocd-prev DEVNET_UPGRADE=$(DEVNET_UPGRADE) COMPOSE="$(COMPOSE)" $(GO) test -v -tags devnet,$(TAGS) -count=1 -timeout 40m ./tests/devnet/...

# Ingest throughput on the four-validator devnet (docs/benchmarks.md): the
# load generator runs in a container on the devnet's network.
load-devnet: build devnet-build
	$(STATIC) -o $(DEVNET)/image/loadtest ./scripts/loadtest
	POCD=$(BUILDDIR)/pocd COMPOSE="$(COMPOSE)" bash scripts/load-devnet.sh

# Ingest throughput on one node (docs/benchmarks.md); RATE, HOTSPOTS, DURATION.
load: build
	POCD=$(BUILDDIR)/pocd bash scripts/load.sh

# Hotspot query latency through gRPC on a node with HOTSPOTS hotspots (docs/benchmarks.md).
query-bench: build
	POCD=$(BUILDDIR)/pocd bash scripts/querybench.sh

localnet: build
	POCD=$(BUILDDIR)/pocd HOTSPOTD=$(BUILDDIR)/hotspotd bash scripts/localnet.sh

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$unformatted" || { echo "gofmt needed: $$unformatted"; exit 1; }
	$(GO) vet ./...

test-unit:
	$(GO) test ./geo/... ./x/... ./app/... ./cmd/... ./ingest/... ./sim/... ./chainclient/... ./gateway/... ./wire/... ./gwmp/... ./explorer/...

# The race detector on the code that runs goroutines over shared state: the
# ingest pipeline (gossip validation, grouped queue writes, the relayer) and
# the genesis export (the module manager exports modules in parallel).
test-race:
	$(GO) test -race -count=1 ./ingest/...
	$(GO) test -race -count=1 -run 'Export' ./app/

test-e2e: build
	POCD_BINARY=$(BUILDDIR)/pocd HOTSPOTD_BINARY=$(BUILDDIR)/hotspotd $(GO) test -count=1 -timeout 20m ./tests/e2e/...

# Consensus arithmetic must be bit-identical on every CPU: build the geometry
# tests for arm64 and run them under qemu-user (Debian: gcc-aarch64-linux-gnu
# qemu-user-static). Outside CI (POCD_CI unset) a machine without the cross
# tools skips this step with a warning.
ARM64_PKGS := ./geo ./x/poc/verify
test-arm64:
	@if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-aarch64-static >/dev/null; then \
	  if [ -n "$$POCD_CI" ]; then echo "arm64 cross tools missing"; exit 1; fi; \
	  echo "WARNING: skipping arm64 determinism tests (apt-get install gcc-aarch64-linux-gnu qemu-user-static)"; exit 0; fi; \
	for p in $(ARM64_PKGS); do \
	  CGO_ENABLED=1 GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc $(GO) test -c -o $(BUILDDIR)/arm64/$$(basename $$p).test $$p || exit 1; \
	  qemu-aarch64-static -L /usr/aarch64-linux-gnu $(BUILDDIR)/arm64/$$(basename $$p).test -test.short || exit 1; \
	done

test: vet proto-check explorer-check test-unit test-race test-arm64 test-e2e test-devnet

proto-tools:
	GOBIN=$(GOBIN) $(GO) install github.com/cosmos/gogoproto/protoc-gen-gocosmos@$(GOCOSMOS_VERSION)
	GOBIN=$(GOBIN) $(GO) install github.com/grpc-ecosystem/grpc-gateway/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION)
	GOBIN=$(GOBIN) $(GO) install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2@$(OPENAPIV2_VERSION)

proto-vendor:
	bash scripts/vendor-protos.sh

proto-gen: proto-tools-if-missing
	GOBIN=$(GOBIN) bash scripts/protocgen.sh

# Installs the generator plugins only when absent, so `make test` works on a
# fresh machine (protoc itself comes from Debian: apt-get install protobuf-compiler).
proto-tools-if-missing:
	@for p in protoc-gen-gocosmos protoc-gen-grpc-gateway protoc-gen-openapiv2; do \
	  test -x $(GOBIN)/$$p || { $(MAKE) --no-print-directory proto-tools; break; }; done
	@command -v protoc >/dev/null || { echo "protoc missing: sudo apt-get install -y protobuf-compiler libprotobuf-dev (or run bash .ci/run)"; exit 1; }

# What protocgen.sh writes, and nothing else: a hand edit elsewhere under x/
# is not "stale generated code".
GENERATED := ':(glob)**/*.pb.go' ':(glob)**/*.pb.gw.go' docs/openapi/pocd.json
proto-check: proto-gen
	@git diff --exit-code -- $(GENERATED) || { echo "generated code is stale: run make proto-gen and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- $(GENERATED))" || { git status --porcelain -- $(GENERATED); echo "untracked generated files"; exit 1; }

# Mutation testing of the consensus packages and ingest (docs/testing.md): each
# line changed one at a time, the package's tests run against it. Slow (minutes
# per package on two cores; the keepers link the SDK for every mutant), so not
# part of `make test`. MUTATION_PKGS narrows it; results in build/mutation/.
# One worker and a generous timeout: gremlins times each mutant's `go test`,
# compile included, against a multiple of the package's bare test run; with
# two workers compiling at once every x/poc/keeper mutant "timed out".
# GOFLAGS=-count=1: gremlins times its coverage run to set each mutant's
# timeout, and a cached test result makes that run take a second, so every
# mutant not killed at once "timed out" (the tenth session's first run).
GREMLINS_VERSION := v0.6.0
MUTATION_PKGS ?= ./geo ./x/hotspot/keeper ./x/poc/verify ./x/poc/keeper ./x/rewards/keeper ./ingest
# MUTATION_EXCLUDE: a regexp of file names to leave out, matched against the
# path inside the package directory (e.g. '^(chain|config)\.go$$'), not
# against ./ingest/chain.go.
MUTATION_EXCLUDE ?=
mutation:
	@test -x $(GOBIN)/gremlins || GOBIN=$(GOBIN) $(GO) install github.com/go-gremlins/gremlins/cmd/gremlins@$(GREMLINS_VERSION)
	@mkdir -p $(BUILDDIR)/mutation
	@for p in $(MUTATION_PKGS); do \
	  out=$(BUILDDIR)/mutation/$$(echo $$p | tr -d ./ | tr / _).json; \
	  GOFLAGS=-count=1 $(GOBIN)/gremlins unleash --workers 1 --timeout-coefficient 30 $(if $(MUTATION_EXCLUDE),-E '$(MUTATION_EXCLUDE)') --output $$out $$p > $$out.log 2>&1 || true; \
	  printf '%-22s %s\n' "$$p" "$$(grep -E 'Test efficacy|Mutator coverage' $$out.log | tr -s ' ' | tr '\n' ' ')"; \
	done

# The coverage explorer's bundle (docs/explorer.md) is committed and embedded,
# so building the node never needs npm; these rebuild and check it.
explorer-build:
	bash scripts/explorer-build.sh

explorer-check:
	bash scripts/explorer-build.sh --check

# Short fuzzing sessions for the decoders (the seed corpora run in every `go test`).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./x/hotspot/types -run '^$$' -fuzz '^FuzzParseCell$$' -fuzztime $(FUZZTIME)
	$(GO) test ./x/hotspot/types -run '^$$' -fuzz '^FuzzCellValidateMatchesH3$$' -fuzztime $(FUZZTIME)
	$(GO) test ./x/hotspot/types -run '^$$' -fuzz '^FuzzHotspotKey$$' -fuzztime $(FUZZTIME)
	$(GO) test ./x/poc/types -run '^$$' -fuzz '^FuzzDecodeSubmitPoc$$' -fuzztime $(FUZZTIME)
	$(GO) test ./x/poc/verify -run '^$$' -fuzz '^FuzzVerifyWitness$$' -fuzztime $(FUZZTIME)
	$(GO) test ./wire -run '^$$' -fuzz '^FuzzDecodeReports$$' -fuzztime $(FUZZTIME)
	$(GO) test ./gwmp -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME)

clean:
	rm -rf $(BUILDDIR)
