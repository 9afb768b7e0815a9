#!/usr/bin/env bash
# A second libvirt host on this machine, for multi-host tests and soaks: libvirtd (and virtlogd)
# in a network namespace of their own, joined to this one by a veth pair with addresses from
# 198.18.0.0/15 only, and in a private mount namespace with their own config and state. The
# controller reaches it as qemu+tcp://HOST_ADDRESS/system. Needs root, iproute2, util-linux's
# unshare and libvirt-daemon-driver-qemu. How it was made to work: ../shared/notes/multi-host.md.
#
#   scripts/netns-libvirt-host.sh up NAME INDEX STATE_DIR   start it (INDEX 0-63 picks its /30)
#   scripts/netns-libvirt-host.sh down NAME INDEX STATE_DIR remove it all; safe to run twice
#   scripts/netns-libvirt-host.sh cut NAME                  its network goes silent (veth down inside)
#   scripts/netns-libvirt-host.sh mend NAME                 and comes back
#   scripts/netns-libvirt-host.sh kill-libvirtd NAME STATE_DIR / start-libvirtd NAME STATE_DIR
#
# INDEX n uses 198.18.0.4n/30: this machine's end .4n+1, the host's .4n+2. Before the veth
# exists, an unreachable route for that /30 (metric 4000) guards it: if the veth goes, traffic to
# the host's address dies here instead of following the default route off the machine.
set -euo pipefail

command=${1:?usage: $0 up|down|cut|mend|kill-libvirtd|start-libvirtd NAME ...}
name=${2:?the namespace name}
# Interface names are at most 15 characters: NAME-c here, NAME-h there.
[[ "$name" =~ ^[a-z0-9-]{1,12}$ ]] || { echo "NAME must be 1-12 of a-z, 0-9 and -, not '$name'" >&2; exit 2; }
peer="$name-h"
root_end="$name-c"

addresses() {
    local index=$1
    [ "$index" -ge 0 ] && [ "$index" -le 63 ] || { echo "INDEX must be 0-63, not $index" >&2; exit 2; }
    subnet="198.18.0.$((4 * index))/30"
    controller="198.18.0.$((4 * index + 1))"
    host="198.18.0.$((4 * index + 2))"
}

start_daemons() {   # STATE_DIR [virtlogd]: libvirtd, and virtlogd first when asked
    local state=$1 logd=""
    [ "${2:-}" = virtlogd ] && logd="virtlogd --daemon --pid-file '$state/virtlogd.pid'"
    # The mounts live in the daemons' own mount namespace: nothing outside it sees them.
    ip netns exec "$name" unshare -m --propagation private sh -ec "
        mount --bind '$state/etc' /etc/libvirt
        mount --bind '$state/run' /run/libvirt
        mount --bind '$state/lib' /var/lib/libvirt
        mount --bind '$state/cache' /var/cache/libvirt
        mount --bind '$state/log' /var/log/libvirt
        if [ -d '$state/swtpm-localca' ]; then mount --bind '$state/swtpm-localca' /var/lib/swtpm-localca; fi
        $logd
        exec libvirtd --daemon --listen --pid-file '$state/libvirtd.pid' -f /etc/libvirt/libvirtd.conf"
}

case "$command" in
up)
    addresses "${3:?INDEX}"
    state=${4:?STATE_DIR}
    "$0" down "$name" "$3" "$state" 2>/dev/null || true
    # Whatever fails from here on, nothing of the host stays behind.
    trap '"$0" down "$name" "$3" "$state" >/dev/null 2>&1 || true' ERR
    ip route replace unreachable "$subnet" metric 4000
    ip netns add "$name"
    ip link add "$root_end" type veth peer name "$peer" netns "$name"
    ip addr add "$controller/30" dev "$root_end"
    ip link set "$root_end" up
    ip -n "$name" addr add "$host/30" dev "$peer"
    ip -n "$name" link set "$peer" up
    ip -n "$name" link set lo up
    mkdir -p "$state"/{etc,run,lib/images,cache,log}
    # Its own swtpm local CA, as another machine has: its vTPMs' EK certificates chain to it, not to
    # this machine's. Made now (by certifying a throwaway TPM), so that a lab file can name it as the
    # host's ekAuthority before the host's first VM starts. The machine's own CA folder is the
    # mount point: made as swtpm_localca makes it on first use, if no TPM was made here yet.
    if command -v swtpm_setup >/dev/null && id tss >/dev/null 2>&1; then
        [ -d /var/lib/swtpm-localca ] || install -d -o tss -g root -m 0750 /var/lib/swtpm-localca
        install -d -o tss -g root -m 0750 "$state/swtpm-localca"
        install -d -o tss -m 0700 "$state/ca-tpm"
        unshare -m --propagation private sh -ec "
            mount --bind '$state/swtpm-localca' /var/lib/swtpm-localca
            swtpm_setup --tpm2 --tpmstate '$state/ca-tpm' --create-ek-cert --overwrite --runas tss >/dev/null"
        rm -rf "$state/ca-tpm"
    fi
    cat > "$state/etc/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 1
listen_addr = "$host"
tcp_port = "16509"
auth_tcp = "none"
keepalive_interval = 5
keepalive_count = 5
unix_sock_dir = "/run/libvirt"
CONF
    cat > "$state/etc/qemu.conf" <<CONF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
stdio_handler = "logd"
CONF
    start_daemons "$state" virtlogd
    trap - ERR
    echo "qemu+tcp://$host/system"
    ;;
down)
    addresses "${3:?INDEX}"
    state=${4:?STATE_DIR}
    if ip netns list | awk '{print $1}' | grep -qx -- "$name"; then
        # Exactly the host's processes (libvirtd, virtlogd, its QEMUs): asked, then told.
        pids=$(ip netns pids "$name" || true)
        [ -z "$pids" ] || kill $pids 2>/dev/null || true
        for _ in $(seq 1 50); do [ -z "$(ip netns pids "$name" 2>/dev/null)" ] && break; sleep 0.1; done
        pids=$(ip netns pids "$name" 2>/dev/null || true)
        [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
        ip netns del "$name" || true
    fi
    ip link del "$root_end" 2>/dev/null || true
    ip route del unreachable "$subnet" metric 4000 2>/dev/null || true
    rm -rf "$state"
    ;;
cut)
    ip -n "$name" link set "$peer" down
    ;;
mend)
    ip -n "$name" link set "$peer" up
    ;;
kill-libvirtd)
    state=${3:?STATE_DIR}
    kill -9 "$(cat "$state/libvirtd.pid")"
    ;;
start-libvirtd)
    start_daemons "${3:?STATE_DIR}"
    ;;
*)
    echo "unknown command $command" >&2
    exit 2
    ;;
esac
