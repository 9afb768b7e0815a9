#!/usr/bin/env bash
# Controller overhead: `pxelab run Topologies/demo.yaml` end to end after a build (the demo's own
# timing, then instant), and the controller's resident memory serving a 1,000-device lab whose
# devices are idle (`pxelab serve` after `pxelab up`). Writes benchmarks/results/controller.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
pxelab=.build/release/pxelab
[ -x "$pxelab" ] || swift build -c release --product pxelab >/dev/null
work=$(mktemp -d /tmp/pxelab-bench-controller.XXXXXX)
trap '[ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p benchmarks/results
printf 'measure\tvalue\n' > benchmarks/results/controller.tsv
for scale in demo 0; do
    args=()
    [ "$scale" = 0 ] && args=(--scale 0)
    /usr/bin/time -f '%e %M' -o "$work/time" "$pxelab" run Topologies/demo.yaml "${args[@]}" --state-dir "$work/demo" --json >/dev/null 2>&1
    read -r seconds kib < "$work/time"
    awk -v scale="$scale" -v s="$seconds" -v k="$kib" 'BEGIN { printf "demo run (%s timing): seconds, peak MiB\t%s, %.0f\n", scale, s, k / 1024 }' \
        >> benchmarks/results/controller.tsv
done
sed "s/COUNT/1000/" benchmarks/fleet-template.yaml > "$work/idle.yaml"
"$pxelab" up "$work/idle.yaml" --state-dir "$work/idle" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$pxelab" serve --lab "$work/idle.yaml" --state-dir "$work/idle" --port "$port" >/dev/null 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break; sleep 0.1; done
printf 'serve, 1,000 idle devices: RSS MiB\t%.0f\n' "$(awk '/VmRSS/ { print $2 / 1024 }' "/proc/$serve_pid/status")" \
    >> benchmarks/results/controller.tsv
column -t -s $'\t' benchmarks/results/controller.tsv
