#!/usr/bin/env bash
# Real VMs from define to business-ready: N QEMU VMs (TCG) defined, powered on at once, network-
# booted through iPXE into the lab guest and deployed user-driven. Prints the wall time of
# `pxelab run` (define, firmware, iPXE, kernel and initramfs over HTTP, the guest, the OOBE) and,
# per device, the seconds from the run's start to its first event and to business-ready.
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
trap 'rm -rf "$work"' EXIT
printf '%4s %10s %16s %16s %16s\n' VMs seconds first-event-max ready-min ready-max
for n in "${counts[@]}"; do
    lab="$work/vm-$n.yaml"
    sed "s/COUNT/$n/" benchmarks/real-vm-template.yaml > "$lab"
    start=$(date +%s.%N)
    "$pxelab" run "$lab" --state-dir "$work/state-$n" --json > "$work/report-$n.json"
    end=$(date +%s.%N)
    python3 - "$work/report-$n.json" "$n" "$start" "$end" "$work/state-$n/bench-vm/state.sqlite" <<'PY'
import json, sqlite3, sys, datetime
report, n, start, end, db = json.load(open(sys.argv[1])), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
ready = sum(1 for d in report["devices"] if d["result"] == "business-ready")
assert ready == n, f"only {ready} of {n} VMs became business-ready"
def seconds(text):
    return datetime.datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=datetime.timezone.utc).timestamp() - start
rows = sqlite3.connect(db).execute(
    "select device, min(receivedAt), max(case when phase='desktop' and step='ready' and status='completed' then receivedAt end)"
    " from deviceEvent group by device").fetchall()
first = [seconds(r[1]) for r in rows]
done = [seconds(r[2]) for r in rows]
print(f"{n:4d} {end - start:10.1f} {max(first):16.1f} {min(done):16.1f} {max(done):16.1f}")
PY
    "$pxelab" down "$lab" --state-dir "$work/state-$n" >/dev/null
done
