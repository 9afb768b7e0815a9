#!/usr/bin/env bash
# Real VMs from define to business-ready: N QEMU VMs (TCG) defined, powered on at once, network-
# booted through iPXE into the lab guest and deployed user-driven. Prints the wall time of
# `pxelab run` (define, firmware, iPXE, kernel and initramfs over HTTP, the guest, the OOBE) and,
# per device, the seconds from the run's start to its check-in (iPXE asking the endpoint for the
# device's script with its SMBIOS serial: the endpoint has seen the serial), to the guest agent's
# first event and to business-ready, and the QEMU processes' peak memory; for one VM also a remote reset, a repurpose, and a break followed
# by a recovery through the admin API on the running VM. Writes benchmarks/results/real-vm*.tsv.
#
#   benchmarks/real-vm.sh [N ...]        (default: 1 4)
#
# Needs libvirtd with the QEMU driver and the guest image (make test-deps libvirtd images).
# Not a test: `make test` never runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ $# -gt 0 ] || counts=(1 4)
swift build --product pxelab >/dev/null
pxelab=.build/debug/pxelab
work=$(mktemp -d /tmp/pxelab-bench-vm.XXXXXX)
trap '[ -n "${run_pid:-}" ] && kill -INT "$run_pid" 2>/dev/null && wait "$run_pid"; rm -rf "$work"' EXIT
mkdir -p benchmarks/results
printf 'VMs\tseconds\tcheck-in (max)\tfirst event (max)\tready (min)\tready (max)\tQEMU peak MiB per VM\n' \
    > benchmarks/results/real-vm.tsv
printf 'flow\tseconds\tresult\n' > benchmarks/results/real-vm-flows.tsv
for n in "${counts[@]}"; do
    lab="$work/vm-$n.yaml"
    sed "s/COUNT/$n/" benchmarks/real-vm-template.yaml > "$lab"
    start=$(date +%s.%N)
    # --keep: once every VM is business-ready the lab stays up, VMs running, for the flows below.
    "$pxelab" run "$lab" --state-dir "$work/state-$n" --json --keep > "$work/report-$n.json" 2> "$work/run-$n.err" &
    run_pid=$!
    # The check-in: the first time the admin API shows each VM booted (its boot count counts the
    # iPXE script requests that carried its serial), polled every 0.1 s.
    python3 benchmarks/checkin.py "$work/run-$n.err" "$work/state-$n/bench-vm/admin.token" "$start" "$n" \
        | python3 -c 'import json, sys; seen = json.load(sys.stdin); print(max(seen.values()) if len(seen) == int(sys.argv[1]) else float("nan"))' "$n" \
        > "$work/checkin-$n" &
    checkin_pid=$!
    for _ in $(seq 1 6000); do grep -q "kept up" "$work/run-$n.err" && break; kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
    wait "$checkin_pid" || true
    end=$(date +%s.%N)
    grep -q "kept up" "$work/run-$n.err" || { cat "$work/run-$n.err"; exit 1; }
    peak=$(for pid in $(pgrep -f "qemu-system.*guest=bench-"); do awk '/VmHWM/ { print $2 }' "/proc/$pid/status"; done \
        | awk '{ sum += $1; n++ } END { printf "%.0f", n ? sum / n / 1024 : 0 }')
    times=$(python3 benchmarks/deploy-times.py "$work/report-$n.json" "$work/state-$n/bench-vm/state.sqlite" "$start" "$n")
    printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')" \
        "$(awk '{ printf "%.1f", $1 }' "$work/checkin-$n")" "$times" "$peak" >> benchmarks/results/real-vm.tsv
    if [ "$n" = 1 ]; then
        # Each flow through the admin API on the running VM; the call answers when the VM is done.
        port=$(grep -o '127.0.0.1:[0-9]*' "$work/run-$n.err" | head -1)
        token=$(cat "$work/state-$n/bench-vm/admin.token")
        for flow in 'reset {"remote":"true"}' 'repurpose {"wipe":"full"}' 'break {"how":"corrupt-os"}' 'recover {"method":"reimage"}'; do
            name=${flow%% *}
            body=${flow#* }
            begin=$(date +%s.%N)
            result=$(curl -sf -X POST "http://$port/api/v1/devices/bench-01/flows/$name" -H "Authorization: Bearer $token" \
                -H 'Content-Type: application/json' -d "$body" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("result", "done"))')
            finish=$(date +%s.%N)
            awk -v f="$name" -v a="$begin" -v b="$finish" -v r="$result" 'BEGIN { printf "%s\t%.1f\t%s\n", f, b - a, r }' \
                >> benchmarks/results/real-vm-flows.tsv
        done
    fi
    kill -INT "$run_pid"
    wait "$run_pid" || true
    run_pid=
    "$pxelab" down "$lab" --state-dir "$work/state-$n" >/dev/null
done
column -t -s $'\t' benchmarks/results/real-vm.tsv
echo
column -t -s $'\t' benchmarks/results/real-vm-flows.tsv
