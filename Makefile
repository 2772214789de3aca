# Condenser: the two commands the README promises.
#   make run   installs what it needs, builds, and runs the daemon on 127.0.0.1:8642
#   make test  installs what it needs, builds, and runs every test; the build and tests read
#              CONDENSER_WARNINGS_AS_ERRORS, CONDENSER_PID1, CONDENSER_REQUIRE_SHARED and QUICK
#              from the environment (see .ci/run)
SHELL := /bin/bash
PREFIX ?= /usr/local
APT_PACKAGES := libsystemd-dev zlib1g-dev systemd python3-venv curl iproute2 procps util-linux

.PHONY: deps build release run test install

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $$( [ $$(id -u) -eq 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ $$(id -u) -eq 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build

# The Swift runtime and Foundation linked in: the installed binary then runs without the
# toolchain it was built with (it loaded them from the toolchain's directory before), and
# the proxy measured 20-40% less added latency.
release: deps
	swift build -c release --static-swift-stdlib

run: release
	.build/release/condenser serve --config etc/condenser/condenser.toml

test: deps
	scripts/test

install: release
	.build/release/condenser install --prefix $(PREFIX)
