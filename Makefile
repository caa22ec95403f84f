# authgate: `make test` runs everything from a fresh machine (it installs what it needs).

SHELL := /bin/bash
export CARGO_BUILD_TARGET := $(shell rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR := $(CURDIR)/target
export RUST_BACKTRACE := 0
export CARGO_INCREMENTAL := 0

OUT := target/$(CARGO_BUILD_TARGET)/debug
REL := target/$(CARGO_BUILD_TARGET)/release
VENV := .venv
PY := $(VENV)/bin/python
AUTHGATE_BIN := $(CURDIR)/$(OUT)/authgate

.PHONY: test deps apt-deps py-deps build test-rust test-differential test-clients bench bench-core bench-server release clean

test: deps build test-rust test-differential test-clients
	@echo "make test: all suites passed"

## --- dependencies -------------------------------------------------------------------------

deps: apt-deps py-deps

# redis-server 7.0.15 is the reference oracle of the differential tests; redis-tools brings
# redis-cli and redis-benchmark.
apt-deps:
	@if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null || ! command -v redis-benchmark >/dev/null; then \
		echo "installing redis-server and redis-tools"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null; \
	fi
	@redis-server --version

$(VENV)/.ok: tests/requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r tests/requirements.txt
	touch $@

py-deps: $(VENV)/.ok

## --- build and tests ----------------------------------------------------------------------

build:
	cargo build --workspace --all-targets

test-rust: build
	cargo test --workspace

test-differential: build py-deps apt-deps
	AUTHGATE_BIN=$(AUTHGATE_BIN) $(PY) tests/differential/run_differential.py --count 600 --seed 1

test-clients: build py-deps apt-deps
	AUTHGATE_BIN=$(AUTHGATE_BIN) $(PY) -m pytest -q tests/clients

## --- benchmarks (not part of `make test`) -------------------------------------------------

bench: bench-core bench-server

bench-core:
	cargo bench -p authgate --bench acl

release:
	cargo build --release -p authgate

bench-server: release apt-deps
	python3 scripts/bench_vs_redis.py --authgate-bin $(CURDIR)/$(REL)/authgate

clean:
	cargo clean
	rm -rf $(VENV)
