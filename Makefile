# pkgtrail — a tamper-evident flight recorder for pip and uv installs.
#
#   make demo      build, then record real pip and uv installs in a sandbox and
#                  answer the incident questions from the log (who, exposure,
#                  state, diff, export, checkpoint, verify)
#   make test      the format check (make lint), unit tests (swift test) and
#                  end-to-end tests (pytest driving real pip and uv through
#                  the shims against a local index), then a bounded fuzzing run
#   make test-online  issue 11's table against the real PyPI (opt-in; skips offline)
#   make install   release binaries (pkgtrail, pkgtrail-central) and shims into PREFIX (default ~/.local)
#   make uninstall remove them again (the log stays)
#   make bench     overhead benchmarks on a release build (medians, ratios), then
#                  the queries on a synthetic 1,000,000-event log, then the
#                  watcher (latency, idle wakeups, memory, a burst), the audit against
#                  20,000 advisories and an SBOM, then the fleet
#                  on a local PostgreSQL (ingest, 10M events from 10,000 hosts, one-event
#                  push; about 25 minutes and 20 GB of disk)
#   make build     debug build;  make release: static release build
#   make toolchain the test tools (pytest, uv, pinned pip wheels) in .tools/;
#   make browser   Debian's chromium for the HTML export test (when missing)
#   make shells    Debian's zsh and fish for the shell coverage tests (when missing)
#   make postgres  Debian's PostgreSQL for the fleet tests (when missing; the tests
#                  run their own cluster as an unprivileged user on 127.0.0.1)
#   make fuzz      coverage-guided fuzzing of every parser of hostile bytes,
#                  FUZZ_SECONDS per target (default 300); new inputs are kept
#                  in fuzz/corpus (commit them). `make test` runs 10 s per target.
#   make clean
PREFIX ?= $(HOME)/.local
SWIFT ?= swift
PY ?= python3
TOOLS := .tools
TOOLVENV := $(TOOLS)/venv
DEBUG_BIN := .build/debug/pkgtrail
RELEASE_BIN := .build/release/pkgtrail

default: test

.PHONY: default build release test test-online unit e2e lint demo install uninstall bench toolchain browser shells postgres fuzz fuzz-build fuzz-smoke clean

build:
	$(SWIFT) build

# Static stdlib and Foundation: the shims' pass-through path pays no dynamic
# loading (see ARCHITECTURE.md, "Startup"); linked as a fixed-address
# executable, so the loader applies none of the 90,000 relocations a PIE of
# that size needs (about 1 ms of every start). SQLite and libstdc++ are
# linked in too when their static archives exist (Debian's libsqlite3-dev
# and g++ ship them): the linker searches STATIC_LIBS, which holds only
# those archives, before the system's shared libraries (0.9 ms of every
# start). Nothing looks the binary's own symbols up at run time, so they are
# not exported: Swift's image registration then searches 500 symbols, not
# 13,000 (docs/PERFORMANCE.md).
STATIC_LIBS := $(CURDIR)/.build/static-libs
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie -Xlinker -L$(STATIC_LIBS) -Xlinker --no-export-dynamic
release:
	mkdir -p $(STATIC_LIBS)
	for lib in libsqlite3.a libstdc++.a; do \
		f=$$(cc -print-file-name=$$lib); [ -f "$$f" ] && ln -sf "$$f" $(STATIC_LIBS)/$$lib || true; \
	done
	$(SWIFT) build $(RELEASE_FLAGS)

toolchain: $(TOOLS)/.ready

$(TOOLS)/.ready: tests/requirements-tools.txt scripts/toolchain.sh
	sh scripts/toolchain.sh $(TOOLS)
	touch $@

unit:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

browser:
	sh scripts/debian.sh "the HTML export test" chromium

shells:
	sh scripts/debian.sh "the shell coverage tests" zsh fish

postgres:
	sh scripts/postgres.sh

e2e: build toolchain browser shells postgres
	PKGTRAIL_TEST_BIN=$(CURDIR)/$(DEBUG_BIN) PKGTRAIL_TOOLS=$(CURDIR)/$(TOOLS) \
		$(TOOLVENV)/bin/python -m pytest -q -p no:cacheprovider tests/e2e

test: lint unit e2e fuzz-smoke

# The house format (.swift-format: 4 spaces, 120 columns), checked, never
# applied by the tests: `swift format -i -r Sources Tests Package.swift` applies it.
lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift

# Opt-in, never in `make test`: the real public index (PyPI) through the shims;
# skips, saying so, when it cannot be reached.
test-online: build toolchain
	PKGTRAIL_TEST_BIN=$(CURDIR)/$(DEBUG_BIN) PKGTRAIL_TOOLS=$(CURDIR)/$(TOOLS) \
		$(TOOLVENV)/bin/python -m pytest -q -rs -p no:cacheprovider tests/online

FUZZ_SECONDS ?= 300

# libFuzzer needs every module built with -sanitize=fuzzer: a build of its own.
fuzz-build:
	$(SWIFT) build -c release --build-path .build-fuzz --product pkgtrail-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING

# In make test: the kept corpus and every past crash replayed by the plain
# build, then a bounded fuzzing run per target.
fuzz-smoke: build fuzz-build
	for d in fuzz/corpus/* fuzz/crashes/*; do \
		if [ -d "$$d" ]; then .build/debug/pkgtrail-fuzz $$(basename $$d) $$d || exit 1; fi; done
	sh scripts/fuzz.sh 10

fuzz: fuzz-build
	sh scripts/fuzz.sh $(FUZZ_SECONDS) keep

demo: build toolchain postgres
	$(PY) scripts/demo.py $(CURDIR)/$(DEBUG_BIN)

install: release
	install -d $(PREFIX)/bin $(PREFIX)/share/pkgtrail/shims
	install -s -m 0755 $(RELEASE_BIN) $(PREFIX)/bin/pkgtrail
	install -s -m 0755 $(RELEASE_BIN)-central $(PREFIX)/bin/pkgtrail-central
	rm -f $(PREFIX)/share/pkgtrail/shims/pkgtrail-shim
	for t in pip pip3 uv uvx; do ln -sfn ../../../bin/pkgtrail $(PREFIX)/share/pkgtrail/shims/$$t; done
	install -d $(PREFIX)/share/bash-completion/completions $(PREFIX)/share/zsh/site-functions \
		$(PREFIX)/share/fish/vendor_completions.d
	$(RELEASE_BIN) --generate-completion-script bash > $(PREFIX)/share/bash-completion/completions/pkgtrail
	$(RELEASE_BIN) --generate-completion-script zsh > $(PREFIX)/share/zsh/site-functions/_pkgtrail
	$(RELEASE_BIN) --generate-completion-script fish > $(PREFIX)/share/fish/vendor_completions.d/pkgtrail.fish
	@echo "installed. Add to ~/.bashrc (zsh: ~/.zshrc, init zsh), then open a new shell:"
	@echo "  [ -x $(PREFIX)/bin/pkgtrail ] && eval \"\$$($(PREFIX)/bin/pkgtrail init bash)\""
	@echo "fish (~/.config/fish/config.fish):  test -x $(PREFIX)/bin/pkgtrail; and $(PREFIX)/bin/pkgtrail init fish | source"
	@echo "then run: pkgtrail doctor"

# Removes the binary and the shims; the log, the key and the state stay. Shells
# already open run the real tools and say so once; new ones skip the init line.
uninstall:
	rm -f $(PREFIX)/bin/pkgtrail $(PREFIX)/bin/pkgtrail-central
	rm -rf $(PREFIX)/share/pkgtrail
	rm -f $(PREFIX)/share/bash-completion/completions/pkgtrail $(PREFIX)/share/zsh/site-functions/_pkgtrail \
		$(PREFIX)/share/fish/vendor_completions.d/pkgtrail.fish
	@echo "pkgtrail removed; the log stays in $${XDG_DATA_HOME:-$$HOME/.local/share}/pkgtrail"

bench: release toolchain postgres
	PKGTRAIL_TOOLS=$(CURDIR)/$(TOOLS) $(TOOLVENV)/bin/python scripts/bench.py $(CURDIR)/$(RELEASE_BIN)
	$(PY) scripts/bench_log.py $(CURDIR)/$(RELEASE_BIN) $(CURDIR)/.build/release/pkgtrail-synth
	$(PY) scripts/bench_watch.py $(CURDIR)/$(RELEASE_BIN)
	$(PY) scripts/bench_audit.py $(CURDIR)/$(RELEASE_BIN) $(CURDIR)/.build/release/pkgtrail-synth
	PKGTRAIL_TOOLS=$(CURDIR)/$(TOOLS) $(PY) scripts/bench_policy.py $(CURDIR)/$(RELEASE_BIN)
	$(PY) scripts/bench_fleet.py $(CURDIR)/$(RELEASE_BIN) $(CURDIR)/.build/release/pkgtrail-synth

clean:
	rm -rf .build .build-fuzz $(TOOLS)
