#!/usr/bin/env bash
# Fleet throughput of virtual devices: N devices from define to business-ready through a full
# user-driven deployment (ESP with 5 apps and 3 policies), zero step durations, everything over
# real HTTP on loopback. Prints wall time, devices/s, peak RSS and RSS per device.
#
#   benchmarks/fleet.sh [N ...]        (default: 100 1000 10000; PXELAB=path: that build)
#
# Uses a release build of pxelab. Writes benchmarks/results/fleet.tsv. Not a test: `make test`
# never runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ $# -gt 0 ] || counts=(100 1000 10000)
# PXELAB names another build (benchmarks/ab.sh compares two).
pxelab=${PXELAB:-.build/release/pxelab}
[ -n "${PXELAB:-}" ] || swift build -c release --product pxelab >/dev/null
work=$(mktemp -d /tmp/pxelab-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p benchmarks/results
printf 'devices\tseconds\tdevices/s\tpeak MiB\tKiB/device\tCPU s\n' > benchmarks/results/fleet.tsv
for n in "${counts[@]}"; do
    lab="$work/fleet-$n.yaml"
    sed "s/COUNT/$n/" benchmarks/fleet-template.yaml > "$lab"
    /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$pxelab" run "$lab" --scale 0 --state-dir "$work/state-$n" --json \
        > "$work/report-$n.json"
    read -r seconds peak_kib user system < "$work/time"
    python3 - "$work/report-$n.json" "$n" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
ready = sum(1 for d in report["devices"] if d["result"] == "business-ready")
assert ready == int(sys.argv[2]), f"only {ready} of {sys.argv[2]} devices became business-ready"
PY
    awk -v n="$n" -v s="$seconds" -v k="$peak_kib" -v u="$user" -v y="$system" 'BEGIN {
        printf "%d\t%.2f\t%.1f\t%.1f\t%.1f\t%.1f\n", n, s, n / s, k / 1024, k / n, u + y }' >> benchmarks/results/fleet.tsv
done
column -t -s $'\t' benchmarks/results/fleet.tsv
