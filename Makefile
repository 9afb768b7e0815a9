# pxelab: the two commands of the quick start are `make demo` and `make test`.
SWIFT ?= swift
PXELAB := .build/debug/pxelab

# Debian packages: to build, and in addition to run the tests (libvirtd with the QEMU driver).
BUILD_PACKAGES := pkg-config libvirt-dev libxml2-dev
TEST_PACKAGES := $(BUILD_PACKAGES) libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils ipxe-qemu

.PHONY: demo test build deps test-deps libvirtd clean

## demo: build, then run the demo lab on the embedded default: ten devices through Autopilot
demo: deps build
	$(PXELAB) validate Topologies/demo.yaml
	$(PXELAB) run Topologies/demo.yaml
	$(PXELAB) devices --lab Topologies/demo.yaml

## test: install what the tests need, start virtlogd and libvirtd, run every test
test: test-deps libvirtd
	$(SWIFT) test

build:
	$(SWIFT) build

deps:
	@scripts/install-packages.sh $(BUILD_PACKAGES)

test-deps:
	@scripts/install-packages.sh $(TEST_PACKAGES)

libvirtd:
	@scripts/start-libvirt.sh

clean:
	rm -rf .build .pxelab
