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

.PHONY: test deps apt-deps py-deps build test-rust test-lean test-c java-native test-java header test-differential test-clients bench bench-core bench-server bench-nats bench-c release clean

test: deps build test-rust test-readme test-c test-c-install test-differential test-differential-nats test-differential-milvus test-cert test-config test-redis-suite test-tls test-rest test-fleet test-load test-faults test-fuzz-smoke test-clients test-proxy test-java test-java-install test-python test-node
	@echo "make test: all suites passed"

## README.md's examples are the files the suites build and run (the Rust one is a doctest).
.PHONY: test-readme
test-readme:
	python3 scripts/check_readme.py

## --- dependencies -------------------------------------------------------------------------

deps: apt-deps py-deps etcd-deps

# redis-server 7.0.15 is the reference oracle of the differential tests; redis-tools brings
# redis-cli and redis-benchmark; nats-server (2.9.10 in Debian) is the NATS suite's oracle.
apt-deps:
	@if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null || ! command -v redis-benchmark >/dev/null \
		|| ! command -v valgrind >/dev/null || ! command -v gcc >/dev/null || ! command -v nats-server >/dev/null; then \
		echo "installing redis-server, redis-tools, valgrind, gcc, nats-server"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools valgrind gcc nats-server >/dev/null; \
	fi
	@redis-server --version
	@nats-server --version

$(VENV)/.ok: tests/requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r tests/requirements.txt
	touch $@

py-deps: $(VENV)/.ok

## --- build and tests ----------------------------------------------------------------------

# The Python crate is built only by maturin (pip install ./python): a cargo-built pyo3 module
# would link libpython and rebuild pyo3 with a different environment.
build:
	cargo build --workspace --exclude authgate-python --all-targets

test-rust: build test-lean etcd-deps
	cargo test --workspace --exclude authgate-python

## The engine alone: `--no-default-features` builds without tokio (or the CLI's crates).
test-lean:
	cargo build -p authgate --no-default-features --lib
	@if cargo tree -p authgate --no-default-features -e normal | grep -E '\b(tokio|clap|tracing-subscriber) v'; then \
		echo "the engine build (--no-default-features) pulls the crates above"; exit 1; fi
	@echo "engine build without default features: no tokio, no CLI crates"

## C: libauthgate.so.<version> (soname libauthgate.so.<major>) and libauthgate.a laid out as a C
## library, the tests linked both ways, valgrind on the shared build. `make install PREFIX=...`
## installs the header, both libraries and authgate.pc (release build unless C_PROFILE=debug);
## test-c-install builds the README's program from such a prefix through pkg-config.
C_OUT := target/c
CFLAGS_TEST := -std=c11 -Wall -Wextra -Werror -pthread -Iinclude -Itests/c
C_TESTS := test_acl test_threads test_server test_parity test_fixtures test_nats test_credentials test_cert test_acl_store test_cert_map
# --num-callers=24: the TLS write suppression names a rustls frame about 18 calls deep, past
# valgrind's default of 12 (tests/c/valgrind.supp says why it is narrow).
VALGRIND := valgrind --suppressions=tests/c/valgrind.supp --num-callers=24 --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible -q
C_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
C_SOMAJOR := $(firstword $(subst ., ,$(C_VERSION)))
C_NATIVE_LIBS := $(C_OUT)/native-static-libs
C_PREFIX := $(CURDIR)/$(C_OUT)/prefix
PREFIX ?= /usr/local
C_PROFILE ?= release

.PHONY: install test-c-install

# What the static library needs from the system, as rustc reports it: authgate.pc's
# Libs.private and the static test links. Asked again only when dependencies change.
$(C_NATIVE_LIBS): Cargo.lock bindings/c/Cargo.toml core/Cargo.toml
	@mkdir -p $(C_OUT)
	cargo rustc -p authgate-ffi --crate-type staticlib -- --print native-static-libs 2>&1 \
		| sed -n 's/^note: native-static-libs: //p' > $@.tmp
	test -s $@.tmp && mv $@.tmp $@

# $(call c_libs,FROM,TO): the shared library as its real file, the soname link and the
# development link, and the static library.
c_libs = install -m 755 $(1)/libauthgate_ffi.so $(2)/libauthgate.so.$(C_VERSION) && \
	ln -sf libauthgate.so.$(C_VERSION) $(2)/libauthgate.so.$(C_SOMAJOR) && \
	ln -sf libauthgate.so.$(C_SOMAJOR) $(2)/libauthgate.so && \
	install -m 644 $(1)/libauthgate_ffi.a $(2)/libauthgate.a

test-c: build apt-deps etcd-deps $(C_NATIVE_LIBS)
	python3 tests/fixtures/cert_cases_gen.py --check
	@mkdir -p $(C_OUT)
	$(call c_libs,$(OUT),$(C_OUT))
	@set -e; for t in $(C_TESTS); do \
		gcc $(CFLAGS_TEST) tests/c/$$t.c -L$(C_OUT) -lauthgate -Wl,-rpath,$(CURDIR)/$(C_OUT) -o $(C_OUT)/$$t; \
		gcc $(CFLAGS_TEST) tests/c/$$t.c $(C_OUT)/libauthgate.a $$(cat $(C_NATIVE_LIBS)) -o $(C_OUT)/$${t}_static; \
	done
	@set -e; for t in $(C_TESTS); do \
		echo "== $$t (shared)"; $(C_OUT)/$$t; \
		echo "== $$t (static)"; $(C_OUT)/$${t}_static; \
	done
	@echo "== valgrind"
	@set -e; for t in $(C_TESTS); do \
		echo "== $$t (valgrind)"; $(VALGRIND) $(C_OUT)/$$t $$([ $$t = test_threads ] && echo 500) \
			$$([ $$t = test_credentials ] && echo tests/fixtures/milvus_cases.json memory); \
	done

install: $(C_NATIVE_LIBS)
	$(if $(filter release,$(C_PROFILE)),cargo build --release -p authgate-ffi)
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/authgate.h $(DESTDIR)$(PREFIX)/include/authgate.h
	$(call c_libs,target/$(CARGO_BUILD_TARGET)/$(C_PROFILE),$(DESTDIR)$(PREFIX)/lib)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(C_VERSION)|' -e "s|@LIBS_PRIVATE@|$$(cat $(C_NATIVE_LIBS))|" \
		bindings/c/authgate.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/authgate.pc
	@echo "installed libauthgate $(C_VERSION) into $(DESTDIR)$(PREFIX)"

# The README's C program (tests/c/readme_example.c) built against a fresh install prefix with
# exactly the README's command, run; then linked statically with what `--static` adds. Its
# certificate program (tests/c/readme_cert.c) likewise, run on the fixture's multi_ou.pem, the
# subject it prints compared with openssl's.
test-c-install: build apt-deps
	@command -v pkg-config >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config >/dev/null; }
	rm -rf $(C_PREFIX) $(C_OUT)/readme && mkdir -p $(C_OUT)/readme
	$(MAKE) --no-print-directory install PREFIX=$(C_PREFIX) C_PROFILE=debug
	cp tests/c/readme_example.c $(C_OUT)/readme/app.c
	cp tests/c/readme_cert.c $(C_OUT)/readme/cert.c
	cd $(C_OUT)/readme && export PKG_CONFIG_PATH=$(C_PREFIX)/lib/pkgconfig && \
		gcc cert.c $$(pkg-config --cflags --libs authgate) -o cert && \
		gcc app.c $$(pkg-config --cflags --libs authgate) -o app && \
		gcc app.c $$(pkg-config --cflags authgate) "$$(pkg-config --variable=libdir authgate)/libauthgate.a" \
			$$(pkg-config --static --libs-only-l authgate | sed 's/-lauthgate\b//') -o app_static
	readelf -d $(C_OUT)/readme/app | grep -q 'NEEDED.*\[libauthgate\.so\.$(C_SOMAJOR)\]'
	! readelf -d $(C_OUT)/readme/app_static | grep -q 'NEEDED.*libauthgate'
	test "$$(readlink $(C_PREFIX)/lib/libauthgate.so.$(C_SOMAJOR))" = libauthgate.so.$(C_VERSION)
	@set -e; for app in app app_static; do \
		LD_LIBRARY_PATH=$(C_PREFIX)/lib $(C_OUT)/readme/$$app > $(C_OUT)/readme/$$app.out; cat $(C_OUT)/readme/$$app.out; \
		grep -qx 'authenticated: yes' $(C_OUT)/readme/$$app.out; \
		grep -qx "NOPERM command del: NOPERM this user has no permissions to run the 'del' command" $(C_OUT)/readme/$$app.out; \
		grep -qx 'allowed: no' $(C_OUT)/readme/$$app.out; \
		grep -qE '^listening on port [1-9][0-9]*$$' $(C_OUT)/readme/$$app.out; \
	done
	LD_LIBRARY_PATH=$(C_PREFIX)/lib $(C_OUT)/readme/cert tests/fixtures/certs/multi_ou.pem > $(C_OUT)/readme/cert.out
	cat $(C_OUT)/readme/cert.out
	grep -qxF "subject: $$(openssl x509 -in tests/fixtures/certs/multi_ou.pem -noout -subject -nameopt RFC2253 | sed 's/^subject=//')" \
		$(C_OUT)/readme/cert.out
	grep -qx 'policy: pass' $(C_OUT)/readme/cert.out
	grep -qx 'login: tls_auth_clients_user alice' $(C_OUT)/readme/cert.out
	grep -qx 'login: certificate_user ops' $(C_OUT)/readme/cert.out
	@echo "test-c-install: the README's programs build and run from an install prefix (shared and static)"

## Java: the JNI library staged for Maven, then the jar (library inside) and its JUnit 5 suite
## (surefire, -Xcheck:jni, both load paths). Platform dir as NativeLib computes it. java-native
## builds only the JNI crate: `mvn -f java install` runs it, and needs nothing else.
JAVA_PLATFORM := $(shell uname -s | tr A-Z a-z | sed 's/darwin/osx/')-$(shell uname -m | sed 's/amd64/x86_64/;s/arm64/aarch64/')
JAVA_NATIVE := target/java-native/native/$(JAVA_PLATFORM)
JAVA_TOOLS = @command -v mvn >/dev/null && command -v javac >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null; }

java-native:
	cargo build -p authgate-jni
	@mkdir -p $(JAVA_NATIVE)
	cp $(OUT)/libauthgate_jni.so $(JAVA_NATIVE)/libauthgate_jni.so

test-java: build java-native etcd-deps
	$(JAVA_TOOLS)
	cd java && AUTHGATE_BIN=$(AUTHGATE_BIN) mvn -B -ntp verify -Dauthgate.native.skip=true -Dauthgate.platform=$(JAVA_PLATFORM) 2>&1 \
		| tee $(CURDIR)/target/java-mvn.log; test $${PIPESTATUS[0]} -eq 0
	jar tf java/target/authgate-*.jar | grep -qx 'native/$(JAVA_PLATFORM)/libauthgate_jni.so'
	@echo "jar contains native/$(JAVA_PLATFORM)/libauthgate_jni.so"
	@if grep -rlE 'WARNING in native method|JNI local refs' target/java-mvn.log java/target/surefire-reports*; then \
		echo "-Xcheck:jni reported warnings"; exit 1; fi

## Java as a user installs it: `mvn -f java install` (which builds the native library itself)
## into a local Maven repository of its own (kept between runs for the plugins; our artifact is
## removed first), then java/examples/consumer, whose pom has the README's dependency, builds
## against it and runs: an Acl from the installed jar, the library extracted from the jar.
JAVA_M2 := $(CURDIR)/target/java-m2

.PHONY: test-java-install
test-java-install:
	$(JAVA_TOOLS)
	rm -rf $(JAVA_M2)/io/authgate java/examples/consumer/target
	mvn -f java -B -ntp install -DskipTests -Dmaven.repo.local=$(JAVA_M2)
	jar tf $(JAVA_M2)/io/authgate/authgate/*/authgate-*.jar | grep -qx 'native/$(JAVA_PLATFORM)/libauthgate_jni.so'
	@echo "installed jar contains native/$(JAVA_PLATFORM)/libauthgate_jni.so"
	mvn -f java/examples/consumer -B -ntp verify -Dmaven.repo.local=$(JAVA_M2) 2>&1 | tee $(CURDIR)/target/java-consumer.log; \
		test $${PIPESTATUS[0]} -eq 0
	grep -qxF "$$(openssl x509 -in tests/fixtures/certs/multi_ou.pem -noout -subject -nameopt RFC2253 | sed 's/^subject=//')" \
		target/java-consumer.log
	grep -qx 'certificate_user ops' target/java-consumer.log

## Python: a fresh virtualenv, `pip install ./python` (a real wheel build with maturin as the PEP 517
## backend; dev profile, in this Makefile's target dir), then pytest: API, shared fixtures, bad input,
## threads, redis-py end to end, and the stub checks (stubtest, mypy --strict).
PYVENV := target/venv-python

.PHONY: test-python
test-python: etcd-deps build
	rm -rf $(PYVENV)
	python3 -m venv $(PYVENV)
	MATURIN_PEP517_ARGS="--profile dev" $(PYVENV)/bin/python -m pip install -q ./python
	$(PYVENV)/bin/python -m pip install -q -r python/tests/requirements.txt
	cd python && AUTHGATE_BIN=$(AUTHGATE_BIN) $(CURDIR)/$(PYVENV)/bin/python -m pytest -q tests

## Node: npm ci (again only when package-lock.json changes; --ignore-scripts, as the package's own
## install script would build the addon, which napi does next), the dev addon built by napi into
## the shared target dir, a drift check of the generated index.js / index.d.ts, then node --test:
## API, errors (PANIC included), shared fixtures, vocabulary parity, types (tsc --strict),
## node-redis end to end, and install.test.js, which installs the package into fresh projects
## from the source folder (built by cargo, dev profile, this target dir) and from `npm pack`.
NODE_DRIFT := target/node-drift
.PHONY: test-node
test-node: build etcd-deps
	cd node && if [ ! -f node_modules/.authgate-ci ] || [ package-lock.json -nt node_modules/.authgate-ci ]; then \
		npm ci --ignore-scripts --no-audit --no-fund && touch node_modules/.authgate-ci; fi
	@mkdir -p $(NODE_DRIFT) && cp node/index.js node/index.d.ts $(NODE_DRIFT)/
	cd node && npx napi build --platform --manifest-path ../bindings/node/Cargo.toml --output-dir .
	@for f in index.js index.d.ts; do \
		if ! diff -u $(NODE_DRIFT)/$$f node/$$f; then \
			echo "node/$$f is stale: napi build regenerated it (above); commit the new file"; exit 1; fi; \
	done
	cd node && AUTHGATE_BIN=$(AUTHGATE_BIN) AUTHGATE_NODE_PROFILE=dev node --test test/

header:
	BLESS=1 cargo test -p authgate-ffi --test header

## Issue 15: the limits side by side with redis-server 7.0.15 (CONFIG GET/SET of the buffer
## limits, what an over-limit or killed client sees, maxclients, HELLO's order), then the load
## scenarios of tests/load/load.py at a small size (asserts liveness, RSS bound, freed slots;
## about 10 s). `make load` runs them at full size on the release build and reports figures.
.PHONY: test-load load
test-load: build apt-deps
	AUTHGATE_BIN=$(AUTHGATE_BIN) python3 tests/load/differential_limits.py
	python3 tests/load/load.py --authgate-bin $(AUTHGATE_BIN) --size small

load: release apt-deps
	python3 tests/load/load.py --authgate-bin $(CURDIR)/$(REL)/authgate --size full

## Differential: first the harness itself (redis-server vs a second redis-server: every
## normalisation must leave two redis processes identical), then authgate on the fixed seed and
## the regression seeds. `make test-fresh` (not in `make test`) draws a new seed and prints it.
test-differential: build py-deps apt-deps
	$(PY) tests/differential/run_differential.py --against-redis --count 150 --seed 1 --regression-seeds
	AUTHGATE_BIN=$(AUTHGATE_BIN) $(PY) tests/differential/run_differential.py --count 600 --seed 1 --regression-seeds

## A fresh seed: redis vs redis first (a failure there is the harness'), then authgate. Reproduce
## a failure with `run_differential.py --seed S --count 600 --no-fixed` (S is printed first).
.PHONY: test-fresh
test-fresh: build py-deps apt-deps
	@seed=$$($(PY) -c 'import random; print(random.SystemRandom().randrange(2, 10**6))'); \
	echo "test-fresh: seed $$seed"; \
	$(PY) tests/differential/run_differential.py --against-redis --seed $$seed --count 300 --no-fixed && \
	AUTHGATE_BIN=$(AUTHGATE_BIN) $(PY) tests/differential/run_differential.py --seed $$seed --count 600 --no-fixed && \
	$(PY) tests/differential_nats/tls_map.py --seed $$seed --configs 30 --authgate-bin $(AUTHGATE_BIN)

## NATS: nats-server 2.9.10 (the oracle) against `authgate nats check|auth|passwd`. First the
## harness itself (nats_emulator.py answers the CLI contract from a second nats-server: every
## normalisation must leave nats-server equal to itself), then authgate on the seed's examples
## and 300 generated configs (and regression_seeds.txt), then `verify_and_map` over TLS with client
## certificates made by openssl (tls_map.py, ~15 s; `--seed S` for another draw). Reproduce one config with
## `run_nats_differential.py --only-seed SEED`; record fixtures with `--record-only`.
.PHONY: test-differential-nats
test-differential-nats: build py-deps apt-deps
	$(PY) tests/differential_nats/run_nats_differential.py --against-nats --count 30 --seed 1
	AUTHGATE_BIN=$(AUTHGATE_BIN) $(PY) tests/differential_nats/run_nats_differential.py --count 300 --seed 1 --regression-seeds
	$(PY) tests/differential_nats/tls_map.py --seed 1 --configs 12 --authgate-bin $(AUTHGATE_BIN)

## Milvus: a real Milvus 2.3.5 (the `milvus` PyPI package embeds the server) on Debian's
## etcd-server, against `authgate milvus users ...` on the same etcd: every case's outcome and
## message, the live server against tests/fixtures/milvus_cases.json, interoperation both ways
## through Milvus' keys, concurrent writers, kill -9, and the proxy's credential cache (item 4a);
## then tests/differential_milvus/etcd_security.py: etcd with TLS (openssl certificates made at
## test time) and with user/password auth, driven by the CLI, the core store (the Python
## package, dev profile, installed into the venv) and the C API (libauthgate via ctypes), and the watch between two long-lived
## processes and the CLI (seen within a second). About two and a half minutes. Re-record the fixture with `$(MILVUS_VENV)/bin/python tests/differential_milvus/record.py`.
MILVUS_VENV := target/venv-milvus

$(MILVUS_VENV)/.ok: tests/differential_milvus/requirements.txt
	python3 -m venv $(MILVUS_VENV)
	$(MILVUS_VENV)/bin/python -m pip install -q -r tests/differential_milvus/requirements.txt
	touch $@

.PHONY: etcd-deps milvus-deps test-differential-milvus bench-milvus
## etcd-server and etcdctl (Debian's 3.4): the Milvus suites and the Java etcd store's tests.
etcd-deps:
	@if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then \
		echo "installing etcd-server, etcd-client"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client >/dev/null; \
	fi

milvus-deps: $(MILVUS_VENV)/.ok etcd-deps

test-differential-milvus: build milvus-deps
	timeout 900 $(MILVUS_VENV)/bin/python tests/differential_milvus/run_milvus_differential.py --authgate $(AUTHGATE_BIN)
	@command -v openssl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }
	MATURIN_PEP517_ARGS="--profile dev" $(MILVUS_VENV)/bin/python -m pip install -q ./python
	timeout 300 $(MILVUS_VENV)/bin/python tests/differential_milvus/etcd_security.py --authgate $(AUTHGATE_BIN) \
		--libauthgate $(CURDIR)/$(OUT)/libauthgate_ffi.so

## Issue 14 item 7: authgate's verify (bcrypt cost 4 and 10, with and without the verified
## cache) and create_user on etcd, against a Milvus 2.3.5 started in the same run (its login
## and create_user, server CPU from /proc). Installs the Python package into the Milvus venv.
bench-milvus: milvus-deps
	$(MILVUS_VENV)/bin/python -m pip install -q ./python
	$(MILVUS_VENV)/bin/python scripts/bench_milvus.py

## Certificates: a test PKI generated now with openssl (tests/cert/pki.py), every subject
## compared with openssl's RFC 2253 output (PEM and DER), `authgate cert match` verdicts,
## `authgate cert verify` against `openssl verify -purpose sslclient`, malformed files.
## Budget: 2 minutes (the suite checks it). Needs only python3 and openssl.
.PHONY: test-cert
test-cert: build
	@command -v openssl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }
	AUTHGATE_BIN=$(AUTHGATE_BIN) python3 tests/cert/run_cert_tests.py

## redis-server 7.0.15's own tests/unit/acl.tcl, acl-v2.tcl and auth.tcl (from Debian's source
## package, fetched once into target/redis-suite) against authgate --upstream redis-server; < 1 min.
.PHONY: test-redis-suite
test-redis-suite: build apt-deps
	@command -v tclsh >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcl >/dev/null; }
	timeout 300 bash scripts/redis_suite/run.sh $(AUTHGATE_BIN) $(CURDIR)/target/redis-suite

## redis.conf errors at startup (tests/config, < 1 min): the same files given to redis-server
## 7.0.15 and authgate serve, fatal errors and load-time ACL errors compared.
.PHONY: test-config
test-config: build py-deps apt-deps
	AUTHGATE_BIN=$(AUTHGATE_BIN) timeout 120 $(PY) -m pytest -q tests/config

## The TLS listener (tests/tls, budget < 3 min): certificates made with openssl at test time;
## redis-cli --tls, redis-py, node-redis and Jedis against authgate serve and, where Redis 7.0.15
## has the same behaviour (tls-auth-clients modes, refused certificates, port 0, startup errors,
## CONFIG GET/SET tls-*), redis-server. node-redis comes from node/'s npm ci (as test-node),
## Jedis through Maven (tests/tls/clients/pom.xml).
.PHONY: test-tls
test-tls: build py-deps apt-deps
	@command -v openssl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }
	$(JAVA_TOOLS)
	cd node && if [ ! -f node_modules/.authgate-ci ] || [ package-lock.json -nt node_modules/.authgate-ci ]; then \
		npm ci --ignore-scripts --no-audit --no-fund && touch node_modules/.authgate-ci; fi
	AUTHGATE_BIN=$(AUTHGATE_BIN) timeout 900 $(PY) -m pytest -q tests/tls

## The Redis Software REST API (--rest-port): the seed's certificate workflow with curl, every
## endpoint's status codes, REST users as ACL users (redis-cli), restart with --dir. < 3 min.
.PHONY: test-rest
test-rest: build apt-deps
	@command -v openssl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }
	@command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }
	AUTHGATE_BIN=$(AUTHGATE_BIN) python3 tests/rest/run_rest_tests.py

## Issue 17: one etcd and three `authgate serve --acl-store` nodes on loopback: concurrent random
## SETUSER/DELUSER/ACL LOAD converge to etcd's state, live clients on other nodes, kill -9, etcd
## stopped and restarted. Budget: 3 minutes.
.PHONY: test-fleet
test-fleet: build py-deps etcd-deps
	AUTHGATE_BIN=$(AUTHGATE_BIN) timeout 180 $(PY) -m pytest -q tests/fleet

## Issue 17's figures: propagation latency between two nodes (p50/p99 over 1,000 changes),
## SETUSER throughput with and without a store, the check's CPU cost with and without one.
.PHONY: bench-fleet
bench-fleet: build py-deps etcd-deps
	AUTHGATE_BIN=$(AUTHGATE_BIN) $(PY) scripts/bench_fleet.py

## Fault tests of the aclfile writer (tests/faults): the writer's injected failures (ENOSPC and
## EIO at each step, through its test seam), then against `authgate serve`: kill -9 during ACL
## SAVE 200 times (the aclfile is always the old or the new content), ACL LOAD while another
## server rewrites the file, ENOTDIR for real (replies compared with redis-server's). Budget:
## 2 minutes (about 90 s here at load 11).
.PHONY: test-faults
test-faults: build apt-deps
	cargo test -p authgate --lib -- atomic_file:: aclfile::tests::saving
	timeout 120 python3 tests/faults/run_faults.py $(AUTHGATE_BIN)

## Fuzzing (fuzz/: cargo-fuzz on nightly, a workspace of its own with its own target dir).
## Every target starts from its small corpus in fuzz/corpus/<target>; what libFuzzer adds goes
## to target/fuzz/corpus/<target>, crashes to target/fuzz/artifacts/<target>/. Built without a
## sanitizer (the core has no unsafe code) and with debug assertions, so overflows panic.
## `make fuzz` runs each target for FUZZ_RUNS executions (10 million: see README.md
## RELIABILITY for the time). test-fuzz-smoke (in `make test`) runs the same targets' bodies
## (fuzz/src/) on stable, in the workspace's debug build (core/tests/fuzz_smoke.rs): each
## target's corpus, then FUZZ_SMOKE_RUNS inputs mutated from it with FUZZ_SMOKE_SEED. It needs
## neither nightly nor cargo-fuzz, and shares the dependencies `make build` compiled.
FUZZ_TARGETS := resp_request setuser aclfile redis_conf glob nats_conf dn_string cert
FUZZ_RUNS ?= 10000000
FUZZ_SMOKE_RUNS ?= 50000
FUZZ_SMOKE_SEED ?= 1437730
FUZZ_DIR := $(CURDIR)/target/fuzz
FUZZ_BIN := $(FUZZ_DIR)/$(CARGO_BUILD_TARGET)/release
.PHONY: fuzz fuzz-build test-fuzz-smoke

fuzz-build:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && CARGO_TARGET_DIR=$(FUZZ_DIR) cargo +nightly fuzz build -s none -a

# $(call fuzz_run,TARGET,RUNS): one target from the repo corpus, new inputs kept outside it.
fuzz_run = mkdir -p $(FUZZ_DIR)/corpus/$(1) $(FUZZ_DIR)/artifacts/$(1) && \
	$(FUZZ_BIN)/$(1) -runs=$(2) -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/$(1)/ $(FUZZ_DIR)/corpus/$(1) fuzz/corpus/$(1)

test-fuzz-smoke:
	FUZZ_SMOKE_RUNS=$(FUZZ_SMOKE_RUNS) FUZZ_SMOKE_SEED=$(FUZZ_SMOKE_SEED) cargo test -p authgate --test fuzz_smoke -- --nocapture

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "== fuzz $$t ($(FUZZ_RUNS) runs)"; start=$$(date +%s); \
		$(call fuzz_run,$$t,$(FUZZ_RUNS)) 2>&1 | tail -n 12; test $${PIPESTATUS[0]} -eq 0; \
		echo "== $$t: $(FUZZ_RUNS) runs, no crash, $$(( $$(date +%s) - start )) s"; \
	done

## The redis-cli / redis-py sessions, first against redis-server itself (validates the tests).
test-clients: build py-deps apt-deps
	CLIENTS_SERVER=redis $(PY) -m pytest -q tests/clients
	AUTHGATE_BIN=$(AUTHGATE_BIN) $(PY) -m pytest -q tests/clients

## Proxy mode (issue 16): the differential suite against authgate --upstream in front of a
## redis-server that has only a password (fixed, generated and datagen.py's data scenarios: every
## data type run as ACL users), then tests/proxy (faults, transactions, blocking commands,
## scripts, rediss:// to a redis-server --tls-port; redis-cli, redis-py, node-redis and Jedis
## through the proxy; Jedis from Maven as in test-tls). Budget: 4 minutes.
.PHONY: test-proxy
test-proxy: build py-deps apt-deps
	$(JAVA_TOOLS)
	cd node && if [ ! -f node_modules/.authgate-ci ] || [ package-lock.json -nt node_modules/.authgate-ci ]; then \
		npm ci --ignore-scripts --no-audit --no-fund && touch node_modules/.authgate-ci; fi
	AUTHGATE_BIN=$(AUTHGATE_BIN) timeout 240 $(PY) tests/differential/run_differential.py --proxy --count 200 --data 60 --seed 1 --regression-seeds
	AUTHGATE_BIN=$(AUTHGATE_BIN) timeout 180 $(PY) -m pytest -q tests/proxy

## --- benchmarks (not part of `make test`) -------------------------------------------------

bench: bench-core bench-server

bench-core:
	cargo bench -p authgate --bench acl

release:
	cargo build --release -p authgate

## Proxy mode: redis-benchmark directly against redis-server, through authgate --upstream and
## through twemproxy (Debian nutcracker) in one run: ratios and CPU per request (BENCHMARKS.md).
.PHONY: bench-proxy
bench-proxy: release apt-deps
	@command -v nutcracker >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nutcracker >/dev/null; }
	python3 scripts/bench_proxy.py --authgate-bin $(CURDIR)/$(REL)/authgate

# Throughput and CPU per request (redis-benchmark) against redis-server in the same run
# (bench-scale runs it too, with the memory of 10,000 idle connections).
bench-server: release apt-deps
	python3 scripts/bench_vs_redis.py --authgate-bin $(CURDIR)/$(REL)/authgate

## TLS handshakes/s with certificate login and redis-benchmark --tls at -P 1 / -P 16, against
## redis-server 7.0.15 with the same certificates, alternately in one run (BENCHMARKS.md).
.PHONY: bench-tls
bench-tls: release apt-deps
	python3 scripts/bench_tls.py --authgate-bin $(CURDIR)/$(REL)/authgate

## Issue 12's table: redis-server and `authgate serve` in one run (SETUSER x100k, ACL
## LIST/GETUSER with 100k users, RSS growth, AUTH x20k pipelined; scripts/bench_scale.py says
## how to add a row), the memory of 10,000 idle connections, redis-benchmark throughput and CPU
## per request, then the criterion benches of the check and of authentication at scale.
.PHONY: bench-scale
bench-scale: release apt-deps
	python3 scripts/bench_scale.py --authgate-bin $(CURDIR)/$(REL)/authgate
	python3 scripts/bench_idle_conns.py --authgate-bin $(CURDIR)/$(REL)/authgate
	python3 scripts/bench_vs_redis.py --authgate-bin $(CURDIR)/$(REL)/authgate
	cargo bench -p authgate --bench acl -- 'check_key_patterns|check_selectors|authenticate_users'

## Issue 11's NATS figures: `nats check` vs `nats-server -t` on a 10,000-user config, login
## verdicts vs nats-server's CONNECT round trip, the 50-rule permission check (callgrind and
## criterion). BENCHMARKS.md's NATS section records a run.
bench-nats: release apt-deps
	cargo bench -p authgate --bench nats --no-run
	python3 scripts/bench_nats.py --authgate-bin $(CURDIR)/$(REL)/authgate --bench-bin "$$(cargo bench -p authgate \
		--bench nats --no-run --message-format=json 2>/dev/null | python3 -c 'import json,sys; print([m["executable"] \
		for m in map(json.loads, sys.stdin) if m.get("executable")][-1])')"

# The C checks (ag_acl_check / ag_acl_allowed / ag_acl_denial, allowed and denied): CPU time per
# call, then instructions per call under callgrind (two run lengths, the difference divided).
bench-c:
	cargo build --release -p authgate-ffi
	@mkdir -p $(C_OUT)/bench
	$(call c_libs,$(REL),$(C_OUT)/bench)
	gcc -O2 -std=c11 -Wall -Wextra -Werror -Iinclude bindings/c/bench/check.c -L$(C_OUT)/bench -lauthgate \
		-Wl,-rpath,$(CURDIR)/$(C_OUT)/bench -o $(C_OUT)/bench_check
	$(C_OUT)/bench_check
	@for c in check_allowed check_denied allowed_allowed allowed_denied denial_allowed denial_denied; do \
		for n in 1000 11000; do valgrind --tool=callgrind --callgrind-out-file=/dev/null $(C_OUT)/bench_check $$c $$n 2>&1 \
			| sed -n 's/.*Collected : //p' > $(C_OUT)/bench_$$c.$$n; done; \
		echo "  $$c: $$(( ($$(cat $(C_OUT)/bench_$$c.11000) - $$(cat $(C_OUT)/bench_$$c.1000)) / 10000 )) instructions per call"; \
	done

clean:
	cargo clean
	rm -rf $(VENV)
