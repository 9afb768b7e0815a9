#!/usr/bin/env bash
# Fleet throughput of virtual devices: N devices from define to business-ready through a full
# user-driven deployment (ESP with 5 apps and 3 policies), zero step durations, everything over
# real HTTP on loopback. Prints wall time, devices/s, peak RSS and RSS per device.
#
#   benchmarks/fleet.sh [N ...]        (default: 100 1000)
#
# Uses a release build of pxelab. Not a test: `make test` never runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("${@:-100 1000}")
[ $# -gt 0 ] || counts=(100 1000)
swift build -c release --product pxelab >/dev/null
pxelab=.build/release/pxelab
work=$(mktemp -d /tmp/pxelab-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf '%8s %10s %12s %12s %14s\n' devices seconds devices/s peak-MiB KiB/device
for n in "${counts[@]}"; do
    lab="$work/fleet-$n.yaml"
    sed "s/COUNT/$n/" benchmarks/fleet-template.yaml > "$lab"
    /usr/bin/time -f '%e %M' -o "$work/time" "$pxelab" run "$lab" --scale 0 --state-dir "$work/state-$n" --json \
        > "$work/report-$n.json"
    read -r seconds peak_kib < "$work/time"
    python3 - "$work/report-$n.json" "$n" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
ready = sum(1 for d in report["devices"] if d["result"] == "business-ready")
assert ready == int(sys.argv[2]), f"only {ready} of {sys.argv[2]} devices became business-ready"
PY
    awk -v n="$n" -v s="$seconds" -v k="$peak_kib" 'BEGIN {
        printf "%8d %10.2f %12.1f %12.1f %14.1f\n", n, s, n / s, k / 1024, k / n }'
done
