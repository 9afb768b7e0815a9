# pxelab: the two commands of the quick start are `make demo` and `make test`.
SWIFT ?= swift
PXELAB := .build/debug/pxelab

# Debian packages: to build (libssl-dev: OpenSSL's libcrypto for the Attestation module), and in
# addition to run the tests (libvirtd with the QEMU driver, virt-admin, with which a test drops the
# controller's connection, OVMF and swtpm for UEFI, Secure Boot and TPM 2.0 domains and the
# attestation tests, Debian's signed shim and network GRUB for Secure Boot's network boot, curl,
# tftp-hpa and atftp as the TFTP server's clients, and Chromium, which the dashboard test drives
# headless).
BUILD_PACKAGES := pkg-config libvirt-dev libxml2-dev libssl-dev
TEST_PACKAGES := $(BUILD_PACKAGES) iproute2 libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils ipxe-qemu ovmf swtpm swtpm-tools shim-signed grub-efi-amd64-signed curl tftp-hpa atftp chromium

.PHONY: demo demo-vm test soak bench fuzz build deps test-deps clients images libvirtd clean

## demo: build, then run the demo lab on the embedded default: ten devices through Autopilot
demo: deps build
	$(PXELAB) validate Topologies/demo.yaml
	$(PXELAB) run Topologies/demo.yaml
	$(PXELAB) devices --lab Topologies/demo.yaml

## demo-vm: the demo lab on real VMs: ten QEMU VMs network-boot through iPXE into the lab guest
demo-vm: test-deps libvirtd images build
	$(PXELAB) run Topologies/demo.yaml --libvirt qemu:///system

## test: install what the tests need (Debian packages, and the Python clients in a venv), start virtlogd
## and libvirtd, build the guest image, check that every module declares what it imports and that
## ARCHITECTURE.md's module graph is the package's, run every test (a test whose prerequisite is
## missing fails, never skips)
test: test-deps clients libvirtd images
	scripts/check-imports.sh
	scripts/check-architecture.sh
	PXELAB_REQUIRE_PREREQUISITES=1 $(SWIFT) test

## soak: the reliability tests at soak length, one at a time: SIGKILL three times in a 10,000-device run,
## a 15 s endpoint outage, libvirtd killed and started again under a real VM, a VM unplugged mid-ESP,
## two libvirt hosts lost mid-deployment (one's network cut, the other's libvirtd killed) and recovered,
## a Secure Boot VM self-deploying on a second libvirt host
soak: test-deps libvirtd images
	PXELAB_REQUIRE_PREREQUISITES=1 PXELAB_SOAK_DEVICES=10000 PXELAB_SOAK_KILLS=3 PXELAB_SOAK_OUTAGE_ATTEMPTS=12 PXELAB_SOAK_RESTART_LIBVIRTD=1 \
		PXELAB_SOAK_LOST_HOSTS=1 PXELAB_SOAK_REMOTE_SECURE_BOOT=1 \
		$(SWIFT) test --no-parallel --filter "CrashResumeTests|EndpointOutageTests|LibvirtReconnectTests|PulledPlugTests|StoreFailureTests|LostHostTests|RemoteSecureBootTests"

## bench: the benchmark suite (never part of make test): fleet, endpoint next to nginx, the Graph door, controller, real VMs
bench: test-deps libvirtd images
	benchmarks/bench.sh

## fuzz: the libFuzzer fuzzers (Fuzz/: hardware hash, CSV, membership rules, lab files), each for FUZZ_SECONDS (60),
## then schemathesis against the served OpenAPI document (scripts/api-fuzz.sh)
fuzz: deps build
	SWIFT="$(SWIFT)" scripts/fuzz.sh
	PXELAB="$(PXELAB)" scripts/api-fuzz.sh

## images: the lab guest real VMs boot (Images/build: Debian's cloud kernel, an initramfs with pxelab-agent)
images:
	Images/build-image.sh

## clients: the real clients tests drive the lab with, pinned, in .build-clients/venv (Graph SDKs for Python)
clients:
	scripts/install-clients.sh

build:
	$(SWIFT) build

deps:
	@scripts/install-packages.sh $(BUILD_PACKAGES)

test-deps:
	@scripts/install-packages.sh $(TEST_PACKAGES)

libvirtd:
	@scripts/start-libvirt.sh

clean:
	rm -rf .build .build-guest .build-fuzz .pxelab Images/build
