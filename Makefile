# Tandem — the two commands in the README are `make demo` and `make test`.
# Every target installs what it needs first (scripts/install-deps.sh is idempotent).
SWIFT       ?= swift
CONFIG      ?= debug
BUILD_FLAGS ?= -c $(CONFIG)
BIN          = $(shell $(SWIFT) build $(BUILD_FLAGS) --show-bin-path 2>/dev/null)/tandem
# Release builds link the Swift runtime and Foundation statically: the binary runs on a
# Debian machine without a Swift toolchain, and starts in ~5 ms instead of ~12 (no dynamic
# loading of libFoundation and ICU), which a short command like `tandem apply` feels. They
# are linked by lld with packed relative relocations (DT_RELR, glibc 2.36+): 2 MB of
# relocation entries become 17 kB for the loader to read at every start.
# Generic types are instantiated through their metadata accessors, which pass the witness
# tables along, rather than from mangled names, which make the runtime look each conformance
# up among the static binary's ~6,600 records on first use (~1 ms of a short command).
RELEASE_FLAGS ?= -c release --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
                 -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors

.PHONY: all deps build release deb image image-test test demo bench fuzz clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product tandem

# tandem_VERSION_amd64.deb in build/ from the release binary (packaging/build-deb.sh: Depends
# from dpkg-shlibdeps checked against ldd, lintian without errors).
RELEASE_BIN = $(shell $(SWIFT) build $(RELEASE_FLAGS) --show-bin-path 2>/dev/null)/tandem
deb: release
	bash packaging/build-deb.sh "$(RELEASE_BIN)" build

# A bootable Debian 12 disk image with the package (build/image/tandem.img), and a boot of it
# under QEMU that checks the firewall came up. Not part of `test`: they download from the
# Debian archive and take minutes.
image: deb
	@bash scripts/install-deps.sh image
	bash packaging/image/build-image.sh "build/tandem_$$("$(RELEASE_BIN)" --version)_amd64.deb" build/image
image-test: image
	bash packaging/image/image-test.sh build/image

# Unit, golden and kernel tests. Kernel tests create their own `tandem-*` namespaces and
# skip with one line where namespaces cannot be made.
test: deps
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	@# The exit status goes through a file: /bin/sh (dash) has no pipefail.
	@{ $(SWIFT) test $(BUILD_FLAGS) --skip-build 2>&1; echo $$? >.build/test-status; } | tee .build/test-output.log
	@echo "kernel and unit tests skipped: $$(grep -c 'Test .* skipped' .build/test-output.log)"
	@exit $$(cat .build/test-status)
	@bash scripts/lab-tests.sh "$(BIN)"
	@bash scripts/lab-services-tests.sh "$(BIN)"
	@bash scripts/cli-tests.sh "$(BIN)"
	@bash scripts/sync-tests.sh "$(BIN)"
	@bash scripts/setup-tests.sh "$(BIN)"
	@bash scripts/deb-tests.sh "$(BIN)"

demo: build
	@bash scripts/demo.sh "$(BIN)"

bench: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product tandem
	@bash bench/run.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"

# libFuzzer harnesses (Fuzz/), each for FUZZ_SECONDS (default 600); not part of `test`.
fuzz: deps
	@bash scripts/fuzz.sh

clean:
	rm -rf .build
