# The two commands of the README, wrapping CMake.
#   make run   installs what is missing, builds, and creates, seeds and checks
#              the three databases in data/
#   make test  installs what is missing, builds, and runs every test
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps configure build run test clean format

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

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h')

clean:
	rm -rf $(BUILD_DIR)
