#!/usr/bin/env bash
# Builds the lab guest into Images/build (ignored by git): Debian's cloud kernel, an initramfs
# with busybox-static, the virtio and ext4 modules and the guest init, and a static pxelab-agent
# beside it, which the init fetches from the endpoint once the guest's network is up.
# The kernel and busybox packages are downloaded with `apt-get download` and unpacked, never
# installed; the tools the recipe runs (cpio, binutils, zstd) are installed if missing, with sudo
# when not root.
#
#   Images/build-image.sh            (make images)
set -euo pipefail
cd "$(dirname "$0")/.."
# What the recipe runs (pxelab run calls it too when the image is missing); the kernel and
# busybox themselves are downloaded with apt-get download, not installed.
scripts/install-packages.sh cpio binutils zstd
out=Images/build
work=$out/work
mkdir -p "$out" "$work/debs"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
needs_update=$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' 2>/dev/null | head -n 1)
[ -n "$needs_update" ] || as_root apt-get update -qq

# 1. The kernel and busybox, downloaded and unpacked.
kernel_package=$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/.*Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
[ -n "$kernel_package" ] || { echo "cannot find the cloud kernel package" >&2; exit 1; }
(cd "$work/debs" && for package in "$kernel_package" busybox-static; do
    ls "${package}"_*.deb >/dev/null 2>&1 || apt-get download -qq "$package"
done)
rm -rf "$work/kernel" "$work/busybox"
dpkg -x "$work"/debs/"${kernel_package}"_*.deb "$work/kernel"
dpkg -x "$work"/debs/busybox-static_*.deb "$work/busybox"
version=${kernel_package#linux-image-}
cp "$work/kernel/boot/vmlinuz-$version" "$out/vmlinuz"

# 2. The static agent (Swift, fully static: it runs in a bare initramfs). A debug build by
#    default: the agent waits on the network, not the CPU, and a clean debug build of its
#    dependencies takes a third of the time of a release one (4.5 against 12 minutes on 2 cores).
#    PXELAB_GUEST_CONFIG=release builds a smaller, optimised agent.
config=${PXELAB_GUEST_CONFIG:-debug}
if ! swift build -c "$config" --product pxelab-agent --static-swift-stdlib -Xswiftc -static-executable \
        --scratch-path .build-guest > "$work/agent-build.log" 2>&1; then
    cat "$work/agent-build.log" >&2
    echo "the guest agent did not build (log: $work/agent-build.log)" >&2
    exit 1
fi
agent=.build-guest/$config/pxelab-agent

# 3. The agent, stripped of symbols and of the Swift AST kept for debuggers (a fifth of a debug
#    agent). It is not in the initramfs: the guest fetches it over its own network at 75 MB/s,
#    where Secure Boot's GRUB moves the initramfs over lock-step 1 KiB TFTP at 4.8 MB/s (with it,
#    the initramfs was 28 MB and took 5.9 s; without, 1.2 MB), and the kernel has 80 MB less to
#    unpack (1.1 s under TCG).
strip --remove-section=.swift_ast -o "$out/pxelab-agent.part" "$agent"
chmod +x "$out/pxelab-agent.part"
mv "$out/pxelab-agent.part" "$out/pxelab-agent"

# 4. The initramfs.
root=$work/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,etc,lib/modules,proc,sys,dev,tmp,var/lib/pxelab}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp Images/guest/init "$root/init"
cp Images/guest/udhcpc.script "$root/etc/udhcpc.script"
chmod +x "$root/init" "$root/etc/udhcpc.script"
# The drivers the guest needs, with what they depend on (read from each module's .modinfo),
# in an order insmod can load them: /lib/modules/load lists it for the guest's init.
modules=$work/kernel/lib/modules/$version
module_file() { find "$modules" -name "$1.ko*" | head -n 1; }
unpack_module() {   # NAME DESTINATION: the module, decompressed
    local file; file=$(module_file "$1")
    case "$file" in *.xz) xz -dc "$file" ;; *.zst) zstd -qdc "$file" ;; *) cat "$file" ;; esac > "$2"
}
module_depends() {
    unpack_module "$1" "$work/$1.ko"
    objcopy -O binary --only-section=.modinfo "$work/$1.ko" /dev/stdout | tr '\0' '\n' \
        | sed -n 's/^depends=//p' | tr ',' ' '
}
loaded=" "
load_order() {
    case "$loaded" in *" $1 "*) return ;; esac
    [ -n "$(module_file "$1")" ] || return 0   # built into the kernel
    local dependency
    for dependency in $(module_depends "$1"); do load_order "$dependency"; done
    loaded="$loaded$1 "
    unpack_module "$1" "$root/lib/modules/$1.ko"
    echo "$1" >> "$root/lib/modules/load"
}
: > "$root/lib/modules/load"
for module in virtio_pci virtio_net virtio_blk ext4 evdev efivarfs; do load_order "$module"; done
# zstd: a fifth smaller than gzip and quicker for the guest's kernel to unpack, which matters
# under software emulation (the kernel reads zstd, gzip, xz and lz4 initramfs images).
(cd "$root" && find . | cpio -o -H newc --quiet | zstd -q -12 -T0) > "$out/initrd.img"
echo "built $out/vmlinuz ($version), $out/initrd.img ($(du -h "$out/initrd.img" | cut -f1)) and $out/pxelab-agent ($(du -h "$out/pxelab-agent" | cut -f1))"
