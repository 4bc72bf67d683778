# `make run` starts Trove, `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
PYTHON := /usr/bin/python3
DEBUG_BIN := target/debug/trove
RELEASE_BIN := target/release/trove
ARTIFACTS := artifacts
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

.PHONY: bench soak help run test deps deps-test web gnome-extension release lint unit e2e bindings package test-package clean

help:
	@echo "make run    build and start Trove (release)"
	@echo "make test   run every test headless (fmt and clippy, unit, IPC/ACL, end-to-end, package)"
	@echo "make package        build the .deb with Tauri's bundler (target/release/bundle/deb/)"
	@echo "make test-package   build, inspect, install, run and remove the .deb"
	@echo "make bindings   regenerate web/src/bindings.ts and capabilities/ from the Rust declarations"
	@echo "make soak       the long load and fault runs (10 000 captures, 100 kill -9 rounds)"
	@echo "make bench      performance figures next to CopyQ"

deps:
	@scripts/ensure-deps run

deps-test:
	@scripts/ensure-deps test

# The pages, built only when their sources change: a new web/dist makes
# tauri's generate_context! compile the trove crate again (minutes).
WEB_SOURCES := $(shell find web/src -type f) $(wildcard web/*.html) web/vite.config.ts web/tsconfig.json web/package-lock.json
WEB_BUILT := web/dist/.built
web: $(WEB_BUILT)
$(WEB_BUILT): $(WEB_SOURCES)
	npm --prefix web run build
	touch $@

# Both builds of the GNOME Shell extension (GNOME 42-44 and 45+), for the package and the tests.
GNOME_EXTENSIONS := target/gnome-shell
gnome-extension:
	desktop/gnome-shell/build.sh $(GNOME_EXTENSIONS)

release: deps web
	$(CARGO) build --release --locked

run: release
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "No display found: running Trove inside a virtual X display (Xvfb) with its own D-Bus session."; \
	  exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" $(RELEASE_BIN); \
	else \
	  exec $(RELEASE_BIN); \
	fi

# One debug build serves the unit, IPC and end-to-end layers: `cargo test`
# also builds the binary that the end-to-end tests drive. First come the unit
# and IPC tests of the build that links WebKit the ordinary way, as on
# targets other than x86-64, so that it cannot rot; the default build's
# `cargo test` comes last, since the binary it leaves in target/debug is the
# one the end-to-end tests run. The package needs its own release build.
test: deps-test web gnome-extension lint unit e2e test-package

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	scripts/module-cycles crates/trove-domain/src crates/trove-desktop/src src-tauri/src

unit:
	$(CARGO) test --locked -p trove --features linked-webkit
	$(CARGO) test --locked --workspace

e2e:
	mkdir -p $(ARTIFACTS)
	TROVE_BIN=$(abspath $(DEBUG_BIN)) TROVE_ARTIFACTS=$(abspath $(ARTIFACTS))/e2e \
	  TROVE_GNOME_EXTENSIONS=$(abspath $(GNOME_EXTENSIONS)) \
	  dbus-run-session --config-file=tests/e2e/session-bus.conf -- $(PYTHON) -m pytest -p no:cacheprovider tests/e2e -v

package: deps web gnome-extension
	mkdir -p target/packaging
	gzip -9n -c packaging/changelog > target/packaging/changelog.gz
	web/node_modules/.bin/tauri build --bundles deb
	scripts/name-desktop-entry target/release/bundle/deb/Trove_$(VERSION)_$$(dpkg --print-architecture).deb

test-package: deps-test package
	scripts/test-package

bindings:
	UPDATE_BINDINGS=1 $(CARGO) test -p trove --lib bindings

clean:
	$(CARGO) clean
	rm -rf web/dist $(ARTIFACTS)

# The long versions of the load and fault tests, on the release build; not part of `make test`.
soak: release deps-test
	mkdir -p $(ARTIFACTS)
	TROVE_SOAK=1 TROVE_BIN=$(abspath $(RELEASE_BIN)) TROVE_ARTIFACTS=$(abspath $(ARTIFACTS))/soak \
	  dbus-run-session -- $(PYTHON) -m pytest -p no:cacheprovider -v \
	  tests/e2e/test_load.py tests/e2e/test_faults.py::test_kill_9_at_random_moments_loses_no_announced_clip

# Performance figures next to CopyQ; not part of `make test`.
bench: release deps-test
	@dpkg-query -W copyq >/dev/null 2>&1 || sudo_cmd=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  dpkg-query -W copyq >/dev/null 2>&1 || $$sudo_cmd apt-get install -y -qq copyq
	$(CARGO) build --release --locked -p trove-domain --example seed_history
	mkdir -p $(ARTIFACTS)/bench
	BENCH_SEED=$(abspath target/release/examples/seed_history) TROVE_ARTIFACTS=$(abspath $(ARTIFACTS))/bench \
	  dbus-run-session -- $(PYTHON) bench/run.py $(RELEASE_BIN)
