# The two commands of the README, wrapping CMake.
#   make run   installs what is missing, builds, and creates, seeds and checks
#              the three databases in data/
#   make test  installs what is missing, builds, and runs every test
#   make package  builds the Debian package $(PACKAGE_BUILD_DIR)/emf_<version>_<arch>.deb
#   make coverage builds with --coverage in $(COVERAGE_DIR), runs every test,
#              prints gcovr's summary of extension/ and shell/ (HTML in
#              $(COVERAGE_DIR)/coverage/index.html), and fails below the
#              floor recorded in docs/RELIABILITY.md
#   make sanitize builds with AddressSanitizer and UndefinedBehaviorSanitizer
#              in $(SANITIZE_DIR) (CMakePresets.json) and runs every test
#              there: a leak, an overflow or undefined behaviour fails it
#   make fuzz  builds the libFuzzer harnesses of fuzz/ with clang in
#              $(FUZZ_DIR) and runs each for $(FUZZ_SECONDS) seconds from its
#              seed corpus (docs/fuzzing.md)
#   make bench builds, runs every benchmark of bench/ (never part of the
#              tests) and writes their figures, each a ratio against a
#              baseline timed in the same run, to $(BENCH_OUT) (JSON);
#              EMF_BENCH_ROWS=N sets the size (default 1000000, the size the
#              targets speak of; e.g. 10000 for a quick run),
#              BENCH_FILTER=REGEX runs some only (docs/PERFORMANCE.md)
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# The package has its own build, configured for /usr: the library then goes to
# /usr/lib/<multiarch>, where the dynamic loader looks, and emf is built
# knowing that folder. No tests or benchmarks there: `make test` and
# `make bench` run them.
PACKAGE_BUILD_DIR ?= $(BUILD_DIR)/package
COVERAGE_DIR ?= build-coverage
# The folder the `sanitize` preset of CMakePresets.json builds in.
SANITIZE_DIR := build-sanitize
# Leaks are findings in our own programs (LeakSanitizer); the tests that load
# libemf.so into another program turn that off for it (tests/CMakeLists.txt).
# intercept_tls_get_addr=0: GCC 12's runtime misreads glibc 2.36's dynamic
# TLS of a dlopen()ed library (libemf.so's one thread_local) and LeakSanitizer
# crashes at exit ("Tracer caught signal 11"); static TLS is still scanned.
SANITIZE_ENV = ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1:intercept_tls_get_addr=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Throw branches and branches the compiler proved unreachable are left out;
# nothing else is. gcov labels a throw branch only where its block ran, so
# gcovr runs gcov through scripts/gcov-marking-throw-branches, which labels
# the others from gcov's own JSON (docs/RELIABILITY.md, "Coverage").
# The floor CI holds coverage to: the figures recorded in docs/RELIABILITY.md.
LINE_FLOOR := $(shell sed -n 's/^| lines | .* | \([0-9.]*\)% |$$/\1/p' docs/RELIABILITY.md)
BRANCH_FLOOR := $(shell sed -n 's/^| branches | .* | \([0-9.]*\)% |$$/\1/p' docs/RELIABILITY.md)
GCOVR_FLAGS = --root . --filter 'extension/' --filter 'shell/' \
  --gcov-executable $(CURDIR)/scripts/gcov-marking-throw-branches \
  --exclude-throw-branches --exclude-unreachable-branches

.PHONY: all deps configure build run test package coverage clean format
.PHONY: sanitize bench

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD_DIR) --parallel $(JOBS)

run: build
	./scripts/run.sh

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --parallel $(JOBS) --timeout 600

package: deps
	cmake -S . -B $(PACKAGE_BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_INSTALL_PREFIX=/usr -DEMF_BUILD_TESTS=OFF -DEMF_BUILD_BENCH=OFF
	cmake --build $(PACKAGE_BUILD_DIR) --parallel $(JOBS)
	cd $(PACKAGE_BUILD_DIR) && cpack -G DEB
	@ls -1 $(PACKAGE_BUILD_DIR)/emf_*.deb

# The generated reference at the end of docs/schema.md, rewritten from the
# schema emf embeds (tools/schema_doc.cpp); tests/schemadoc fails while it is
# stale.
.PHONY: schema-doc
schema-doc: configure
	cmake --build $(BUILD_DIR) --parallel $(JOBS) --target schema-doc

coverage:
	./scripts/install-deps.sh --coverage
	cmake -S . -B $(COVERAGE_DIR) -DCMAKE_BUILD_TYPE=Debug -DEMF_COVERAGE=ON
	cmake --build $(COVERAGE_DIR) --parallel $(JOBS)
	find $(COVERAGE_DIR) -name '*.gcda' -delete
	# Tests run emf as the user nobody too (permissions do not bind root):
	# its counts are written when it may create and update the count files.
	find $(COVERAGE_DIR) -path '*CMakeFiles*' -type d -exec chmod a+w {} +
	cd $(COVERAGE_DIR) && umask 000 && ctest --output-on-failure --parallel $(JOBS) --timeout 900
	mkdir -p $(COVERAGE_DIR)/coverage
	gcovr $(GCOVR_FLAGS) --print-summary \
	  --html-details $(COVERAGE_DIR)/coverage/index.html \
	  --fail-under-line $(LINE_FLOOR) --fail-under-branch $(BRANCH_FLOOR) $(COVERAGE_DIR)

sanitize: deps
	cmake --preset sanitize
	cmake --build $(SANITIZE_DIR) --parallel $(JOBS)
	cd $(SANITIZE_DIR) && $(SANITIZE_ENV) ctest --output-on-failure --parallel $(JOBS) --timeout 900

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h')

clean:
	rm -rf $(BUILD_DIR)

FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz:
	./scripts/install-deps.sh --fuzz
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DEMF_FUZZ=ON -DEMF_BUILD_TESTS=OFF -DEMF_BUILD_BENCH=OFF
	cmake --build $(FUZZ_DIR) --parallel $(JOBS) --target emf_fuzzers
	./fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

EMF_BENCH_ROWS ?= 1000000
BENCH_FILTER ?= .
BENCH_OUT ?= $(BUILD_DIR)/bench/results.json
# Builds what the benchmarks run (emf_bench, libemf.so, emf), not the tests.
bench: configure
	cmake --build $(BUILD_DIR) --parallel $(JOBS) --target emf_bench
	EMF_BENCH_ROWS=$(EMF_BENCH_ROWS) $(BUILD_DIR)/bench/emf_bench \
	  --benchmark_filter='$(BENCH_FILTER)' \
	  --benchmark_out=$(BENCH_OUT) --benchmark_out_format=json
	@echo "figures in $(BENCH_OUT)"
