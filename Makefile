# pulp-backfill — every set-up step a fresh machine needs is behind these targets.
#   make test   apt-get packages, Python readers into .venv, build, Swift tests, interop tests
#   make demo   a short end-to-end run on sample data the project ships
#   make bench  benchmarks, side by side with the reference implementations
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
SWIFT ?= swift
BIN_DEBUG   = $(shell $(SWIFT) build --show-bin-path)
BIN_RELEASE = $(shell $(SWIFT) build -c release --show-bin-path)
# The benchmark executables are a package of their own (Benchmarks/Package.swift), so the
# tool's builds above compile none of them; only `make bench` builds it.
BENCH_PACKAGE = Benchmarks
BIN_BENCH   = $(shell $(SWIFT) build -c release --package-path $(BENCH_PACKAGE) --show-bin-path)

.PHONY: all deps venv build build-release test test-surface test-swift test-interop demo bench clean

all: build

deps:
	@./scripts/install-deps.sh

venv: $(VENV)/.installed
$(VENV)/.installed: Tests/interop/requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r Tests/interop/requirements.txt
	touch $@

build: deps
	$(SWIFT) build

build-release: deps
	$(SWIFT) build -c release

test: deps venv build test-surface test-swift test-interop

# Every public declaration of a library module is used by another module, a test or a benchmark
# (the rules are at the top of the script; it lists the ones that should be internal). ~2 s.
test-surface:
	python3 scripts/public_surface.py

test-swift:
	PULP_BACKFILL_PYTHON=$(abspath $(PY)) $(SWIFT) test

# Interop tests run in a random order (pytest-random-order: modules shuffled, tests shuffled
# within each module) so a test that leans on state left by another fails here. The seed is
# printed in the header (hence no -q); `--random-order-seed=N` replays an order.
test-interop:
	PULP_BACKFILL_BIN_DIR=$(BIN_DEBUG) $(PY) -m pytest -p random_order --random-order Tests/interop

demo: deps venv build
	@./scripts/demo.sh $(BIN_DEBUG) $(PY)

# Each benchmark runs ours and the reference side by side in one run and prints ratios.
# Two bin folders, both release: PULP_BACKFILL_BIN_DIR holds the tool (pulp-backfill,
# insights-sim), PULP_BACKFILL_BENCH_BIN_DIR the benchmark executables (encoder-bench,
# accesslog-bench) of the Benchmarks package.
bench: deps venv build-release
	$(SWIFT) build -c release --package-path $(BENCH_PACKAGE)
	PULP_BACKFILL_BIN_DIR=$(BIN_RELEASE) PULP_BACKFILL_BENCH_BIN_DIR=$(BIN_BENCH) $(PY) Benchmarks/bench_parquet.py
	PULP_BACKFILL_BENCH_BIN_DIR=$(BIN_BENCH) $(PY) Benchmarks/bench_parquet_encoder.py
	PULP_BACKFILL_BENCH_BIN_DIR=$(BIN_BENCH) PULP_BACKFILL_PYTHON=$(abspath $(PY)) ./Benchmarks/bench_accesslog.sh
	PULP_BACKFILL_BIN_DIR=$(BIN_RELEASE) $(PY) Benchmarks/bench_catalog.py
	PULP_BACKFILL_BIN_DIR=$(BIN_RELEASE) $(PY) Benchmarks/bench_simulator.py
	PULP_BACKFILL_BIN_DIR=$(BIN_RELEASE) $(PY) Benchmarks/bench_content.py
	PULP_BACKFILL_BIN_DIR=$(BIN_RELEASE) $(PY) Benchmarks/bench_density.py
	PULP_BACKFILL_BIN_DIR=$(BIN_RELEASE) $(PY) Benchmarks/bench_backfill.py

clean:
	rm -rf .build $(BENCH_PACKAGE)/.build $(VENV) demo-out bench-out
