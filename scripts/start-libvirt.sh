#!/usr/bin/env bash
# Starts virtlogd and libvirtd with the QEMU driver, for `make test` and CI.
#
# On a machine without systemd (CI containers, these build machines) the daemons are started
# by hand, as ../shared/notes/lab-host.md measured: the QEMU driver needs the libvirt-qemu user
# and kvm group, QEMU runs as root without a security driver, and virtlogd must run before a
# domain can start. With systemd, the distribution's units are used instead. Idempotent.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

socket=/var/run/libvirt/libvirt-sock

if [ -d /run/systemd/system ]; then
    as_root systemctl start virtlogd.socket libvirtd.service
else
    getent group kvm >/dev/null || as_root groupadd -r kvm
    getent group libvirt-qemu >/dev/null || as_root groupadd -r libvirt-qemu
    id libvirt-qemu >/dev/null 2>&1 || as_root useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt \
        -s /usr/sbin/nologin libvirt-qemu
    conf=/etc/libvirt/qemu.conf
    as_root mkdir -p /etc/libvirt
    for setting in 'user = "root"' 'group = "root"' 'dynamic_ownership = 0' 'security_driver = "none"'; do
        as_root grep -qxF "$setting" "$conf" 2>/dev/null || echo "$setting" | as_root tee -a "$conf" >/dev/null
    done
    as_root mkdir -p /var/log/libvirt /var/run/libvirt /var/lib/libvirt/images
    # A daemon that exited may linger as a zombie where nothing reaps orphans: count live ones only.
    pgrep -r R,S,D -x virtlogd >/dev/null || as_root virtlogd --daemon
    pgrep -r R,S,D -x libvirtd >/dev/null || as_root libvirtd --daemon --pid-file /var/run/libvirtd.pid
fi

# Wait for the daemon's socket (startup takes well under a second; give it ten).
for _ in $(seq 1 100); do
    [ -S "$socket" ] && exit 0
    sleep 0.1
done
echo "libvirtd did not create $socket; see /var/log/libvirt/libvirtd.log" >&2
exit 1
