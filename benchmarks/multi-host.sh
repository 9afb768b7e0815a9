#!/usr/bin/env bash
# The controller's cost per remote libvirt host: a second host on this machine
# (scripts/netns-libvirt-host.sh: libvirtd in a network namespace, qemu+tcp over a veth), against
# this machine's own libvirtd (qemu:///system, its UNIX socket). Per round, interleaved local then
# remote: `pxelab up` of COUNT BIOS VMs (define, state disks), each VM's start and destroy through
# libvirt's client (virsh, one call per VM), and `pxelab down`. The remote daemon's first
# question about QEMU (its capability probe, then cached) is timed apart. Writes
# benchmarks/results/multi-host.tsv.
#
#   benchmarks/multi-host.sh [ROUNDS] [COUNT]        (default: 3 rounds of 10 VMs)
#
# Needs root, libvirtd with the QEMU driver and iproute2 (make test-deps libvirtd). Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
count=${2:-10}
swift build --product pxelab >/dev/null
pxelab=${PXELAB:-.build/debug/pxelab}
work=$(mktemp -d /tmp/pxelab-bench-hosts.XXXXXX)
host=pxb-h2 index=10
trap 'scripts/netns-libvirt-host.sh down $host $index "$work/h2" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
remote=$(scripts/netns-libvirt-host.sh up $host $index "$work/h2")
for _ in $(seq 1 100); do virsh -c "$remote" uri >/dev/null 2>&1 && break; sleep 0.1; done
mkdir -p benchmarks/results
# The fresh daemon's first question about QEMU probes its capabilities (then cached).
begin_probe=$(date +%s.%N)
virsh -c "$remote" domcapabilities --virttype qemu >/dev/null

lab() {   # NAME URI: a lab of COUNT BIOS VMs on one host
    cat > "$work/$1.yaml" <<LAB
lab: $1
hosts: { only: "$2" }
models:
  mini: { manufacturer: LENOVO, product: 11T3S0JR00, memory: 512, firmware: bios, tpm: none }
fleet:
  - { model: mini, count: $count, name: "$1-{seq}", serial: "$(echo "$1" | tr a-z A-Z)-{seq:04}" }
LAB
}
seconds() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

printf 'round\thost\tup s\tstart per VM s\tdestroy per VM s\tdown s\n' > benchmarks/results/multi-host.tsv
printf 'first\tremote: capability probe\t%s\t-\t-\t-\n' "$(seconds "$begin_probe")" >> benchmarks/results/multi-host.tsv

for round in $(seq 1 "$rounds"); do
    for side in local remote; do
        uri=qemu:///system
        [ $side = remote ] && uri=$remote
        name="b$side$round"
        lab "$name" "$uri"
        begin=$(date +%s.%N)
        "$pxelab" up "$work/$name.yaml" --state-dir "$work/state" >/dev/null
        up=$(seconds "$begin")
        begin=$(date +%s.%N)
        for n in $(seq 1 "$count"); do virsh -q -c "$uri" start "$name-$n" >/dev/null; done
        start=$(awk -v s="$(seconds "$begin")" -v n="$count" 'BEGIN { printf "%.3f", s / n }')
        begin=$(date +%s.%N)
        for n in $(seq 1 "$count"); do virsh -q -c "$uri" destroy "$name-$n" >/dev/null; done
        destroy=$(awk -v s="$(seconds "$begin")" -v n="$count" 'BEGIN { printf "%.3f", s / n }')
        begin=$(date +%s.%N)
        "$pxelab" down "$work/$name.yaml" --state-dir "$work/state" >/dev/null
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$side" "$up" "$start" "$destroy" "$(seconds "$begin")" \
            >> benchmarks/results/multi-host.tsv
    done
done
column -t -s $'\t' benchmarks/results/multi-host.tsv
