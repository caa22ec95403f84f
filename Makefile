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

.PHONY: test deps apt-deps py-deps build test-rust test-c header test-differential test-clients bench bench-core bench-server release clean

test: deps build test-rust test-c test-differential test-clients
	@echo "make test: all suites passed"

## --- dependencies -------------------------------------------------------------------------

deps: apt-deps py-deps

# redis-server 7.0.15 is the reference oracle of the differential tests; redis-tools brings
# redis-cli and redis-benchmark.
apt-deps:
	@if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null || ! command -v redis-benchmark >/dev/null \
		|| ! command -v valgrind >/dev/null || ! command -v gcc >/dev/null; then \
		echo "installing redis-server, redis-tools, valgrind, gcc"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools valgrind gcc >/dev/null; \
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

## C: libauthgate.so / libauthgate.a, the tests linked both ways, valgrind on the shared build.
C_OUT := target/c
CFLAGS_TEST := -std=c11 -Wall -Wextra -Werror -pthread -Iinclude -Itests/c
STATIC_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
C_TESTS := test_acl test_threads test_server
VALGRIND := valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all -q

test-c: build apt-deps
	@mkdir -p $(C_OUT)
	cp $(OUT)/libauthgate_ffi.so $(C_OUT)/libauthgate.so
	cp $(OUT)/libauthgate_ffi.a $(C_OUT)/libauthgate.a
	@set -e; for t in $(C_TESTS); do \
		gcc $(CFLAGS_TEST) tests/c/$$t.c -L$(C_OUT) -lauthgate -Wl,-rpath,$(CURDIR)/$(C_OUT) -o $(C_OUT)/$$t; \
		gcc $(CFLAGS_TEST) tests/c/$$t.c $(C_OUT)/libauthgate.a $(STATIC_LIBS) -o $(C_OUT)/$${t}_static; \
	done
	@set -e; for t in $(C_TESTS); do \
		echo "== $$t (shared)"; $(C_OUT)/$$t; \
		echo "== $$t (static)"; $(C_OUT)/$${t}_static; \
	done
	@echo "== valgrind"
	$(VALGRIND) $(C_OUT)/test_acl
	$(VALGRIND) $(C_OUT)/test_threads 500
	$(VALGRIND) $(C_OUT)/test_server

header:
	BLESS=1 cargo test -p authgate-ffi --test header

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
