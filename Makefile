# Ferry: the two commands of the README, and the steps they are made of.
#
#   make run       install what is missing, build, run Ferry on config-examples/quickstart.yaml
#   make test      install what is missing, build, run the whole test suite (ctest)
#   make build     Release build: build/bin/ferry and build/lib/ferry/plugins/*.so
#   make install PREFIX=/opt/ferry    bin/ferry, lib/ferry/plugins, the SDK headers and its CMake package
#   make bench     the benchmark of bench/ (not a test)

BUILD_DIR ?= build
BUILD_TYPE ?= Release
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test run install bench clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

run: build
	@bash scripts/run-quickstart.sh $(BUILD_DIR)

install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)

bench: build
	@bash bench/http1.sh $(BUILD_DIR)
	@bash bench/h2.sh $(BUILD_DIR)

clean:
	@rm -rf $(BUILD_DIR)
