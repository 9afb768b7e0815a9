#!/usr/bin/env bash
# The controller's cost per remote libvirt host: a second host on this machine
# (scripts/netns-libvirt-host.sh: libvirtd in a network namespace, qemu+tcp over a veth), against
# this machine's own libvirtd (qemu:///system, its UNIX socket). Per round, interleaved local then
# remote: `pxelab up` of COUNT BIOS VMs (define, state disks), each VM's start and destroy through
# libvirt's client (virsh, one call per VM), and `pxelab down`. The remote daemon's first
# question about QEMU (its capability probe, then cached) is timed apart. Then, per round, one
# `pxelab run` of RUN_VMS BIOS VMs deployed at once on this machine's host alone, against one over
# both hosts (half on each): wall time, and each VM's check-in and business-ready from the run's
# start. Both "hosts" share this machine's cores, so this measures what the controller adds by
# driving two hosts (connections, listening, placement), not a second hypervisor's capacity.
# Writes benchmarks/results/multi-host.tsv and multi-host-run.tsv.
#
#   benchmarks/multi-host.sh [ROUNDS] [COUNT] [RUN_VMS]   (default: 3 rounds of 10 VMs; runs of 4, 0 skips)
#
# Needs root, libvirtd with the QEMU driver and iproute2 (make test-deps libvirtd). Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
count=${2:-10}
run_vms=${3:-4}
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

[ "$run_vms" -gt 0 ] || exit 0
# One run of RUN_VMS VMs: on one host, or half on each (devices alternate: placement by capacity
# over two hosts with the same free memory).
run_lab() {   # NAME HOSTS...: the lab file
    local name=$1; shift
    {
        echo "lab: $name"
        echo "hosts:"
        local n=1; for uri in "$@"; do echo "  h$n: \"$uri\""; n=$((n + 1)); done
        cat <<LAB
placement: capacity
timing: instant
tenant: { domain: contoso.onmicrosoft.com }
models:
  mini: { manufacturer: LENOVO, product: 11T3S0JR00, memory: 512, firmware: bios, tpm: "2.0" }
fleet:
  - { model: mini, count: $run_vms, name: "$name-{seq}", serial: "$(echo "$name" | tr a-z A-Z)-{seq:04}", groupTag: Sales }
groups:
  - { name: Sales, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))' }
profiles:
  - { displayName: Sales, deviceNameTemplate: "S-%SERIAL%", assignments: [Sales] }
LAB
    } > "$work/$name.yaml"
}
printf 'round\thosts\tVMs\trun s\tfirst event (max) s\tready (min) s\tready (max) s\n' > benchmarks/results/multi-host-run.tsv
for round in $(seq 1 "$rounds"); do
    for side in one two; do
        name="r$side$round"
        if [ $side = one ]; then run_lab "$name" qemu:///system; else run_lab "$name" qemu:///system "$remote"; fi
        begin=$(date +%s.%N)
        "$pxelab" run "$work/$name.yaml" --state-dir "$work/state" --json > "$work/$name.json" 2> "$work/$name.err" \
            || { cat "$work/$name.err"; exit 1; }
        end=$(date +%s.%N)
        "$pxelab" down "$work/$name.yaml" --state-dir "$work/state" >/dev/null
        times=$(python3 benchmarks/deploy-times.py "$work/$name.json" "$work/state/$name/state.sqlite" "$begin" "$run_vms")
        printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$side" "$run_vms" "$(awk -v a="$begin" -v b="$end" 'BEGIN { printf "%.1f", b - a }')" "$times" \
            >> benchmarks/results/multi-host-run.tsv
    done
done
echo
column -t -s $'\t' benchmarks/results/multi-host-run.tsv
