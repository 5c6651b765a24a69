# Sluice: `make run` and `make test` are all a new machine needs (see README.md).
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
SLUICE := $(BUILD_DIR)/sluice
DATA_DIR ?= ./sluice-data

# Debian packages the build and the tests need; `make setup` installs the missing ones.
PACKAGES := build-essential cmake ninja-build pkg-config ccache clang libclang-rt-14-dev \
  libsqlite3-dev librdkafka-dev libsasl2-dev libssl-dev libre2-dev libfmt-dev libcli11-dev librocksdb-dev \
  libsimdjson-dev libedit-dev libseccomp-dev libgtest-dev libgmock-dev libbenchmark-dev kcat \
  python3

.PHONY: all setup build run test bench clean format

all: build

setup:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "==> installing missing packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "==> all packages present"; fi

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: setup $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(SLUICE) --data-dir $(DATA_DIR) -f sql-examples/quickstart.sql

# A test that fails is run once more (--repeat until-pass:2): the Kafka system tests drive a mock
# broker through outages on 2 shared cores and have failed once in many loaded runs; a second
# failure fails the run, and ctest's output names every test that needed the second attempt.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --repeat until-pass:2 -j $(JOBS) --timeout 600

bench: build
	bench/run.sh $(BUILD_DIR)

format:
	find common parser planner runtime engine catalog rbac storage server cli tests bench \
	  -name '*.h' -o -name '*.cc' 2>/dev/null | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
