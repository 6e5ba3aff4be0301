# Ferry: the two commands of the README, and the steps they are made of.
#
#   make run       install what is missing, build, run Ferry on config-examples/quickstart.yaml
#   make test      install what is missing, build, run the whole test suite (ctest)
#   make build     Release build: build/bin/ferry and build/lib/ferry/plugins/*.so
#   make install PREFIX=/opt/ferry    bin/ferry, lib/ferry/plugins, the SDK headers and its CMake package
#   make bench     the benchmark of bench/ (not a test)
#   make test-asan the whole suite on an AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/)
#   make test-tsan the whole suite on a ThreadSanitizer build (build-tsan/)
#   make fuzz      builds the libFuzzer harnesses of tests/fuzz with clang (build-fuzz/)

BUILD_DIR ?= build
BUILD_TYPE ?= Release
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps configure build test run install bench clean test-asan test-tsan fuzz

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# Sanitizer reports are fatal (halt on the first), leaks included; the harness also reads every
# ferry log for a report. Memory and speed assertions are skipped there (FERRY_SANITIZER).
SAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1 \
          UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
          TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

test-asan:
	@$(SAN_ENV) FERRY_SANITIZER=address,undefined $(MAKE) --no-print-directory test BUILD_DIR=build-asan \
	  BUILD_TYPE=RelWithDebInfo CMAKE_ARGS=-DFERRY_SANITIZE=address,undefined

# The whole suite under ThreadSanitizer too: the main/worker hand-offs (snapshots, admin
# questions, shutdown, namer updates under load) are what it is for, and the rest costs little.
test-tsan:
	@$(SAN_ENV) FERRY_SANITIZER=thread $(MAKE) --no-print-directory test BUILD_DIR=build-tsan \
	  BUILD_TYPE=RelWithDebInfo CMAKE_ARGS=-DFERRY_SANITIZE=thread

run: build
	@bash scripts/run-quickstart.sh $(BUILD_DIR)

install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)

bench: build
	@bash bench/http1.sh $(BUILD_DIR)
	@bash bench/h2.sh $(BUILD_DIR)

clean:
	@rm -rf $(BUILD_DIR)

# libFuzzer harnesses (tests/fuzz), built by clang with ASan and UBSan into build-fuzz/fuzz/.
# Run one with scripts/fuzz.sh (docs/testing.md); `make test` replays their corpora and regressions.
fuzz:
	@bash scripts/install-deps.sh fuzz
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DFERRY_FUZZ=ON -DFERRY_WERROR=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
