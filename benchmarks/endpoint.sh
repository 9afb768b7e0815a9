#!/usr/bin/env bash
# The boot endpoint's capacity, next to nginx serving a static file on the same machine:
# requests/s and p50/p99 latency with 64 connections for
#   - nginx: a static file the size of a device's iPXE script (the baseline),
#   - pxelab: /boot.ipxe (a template), /ipxe (the per-device script: device matched, lifecycle
#     read and the boot counted in memory, the boot record stored in the background),
#   - pxelab: the request mix of a whole deployment (10 requests per device: boot scripts,
#     faults, profile, 2 event batches of 13 and 28 events, 2 next-action questions, MDM
#     enrollment and policy),
#     with real device tokens and fresh event sequence numbers.
# wrk and the servers share the machine's cores: compare ratios, not absolute figures.
#
#   benchmarks/endpoint.sh            (DEVICES=2000 DURATION=10s CONNECTIONS=64; PXELAB=path: that build)
#
# Prints a table and writes benchmarks/results/endpoint.tsv. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${DEVICES:-2000}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
. benchmarks/served-lab.sh
serve_lab "$devices" 100

# name token serial uuid mac, from the lab's store (tokens are per device).
python3 - "$work/state/fleet/state.sqlite" > "$work/devices.txt" <<'PY'
import sqlite3, sys
for name, token, serial, uuid, mac in sqlite3.connect(sys.argv[1]).execute(
        "select name, token, serial, uuid, mac from labDevice order by name"):
    print(name, token, serial, uuid, mac.replace(":", "-"))
PY
read -r _ _ serial uuid mac < "$work/devices.txt"
curl -sf "http://127.0.0.1:$port/ipxe?serial=$serial&uuid=$uuid&manufacturer=Contoso&product=Bench%20Laptop&mac=$mac" \
    > "$work/www/script.ipxe"
serve_static script.ipxe

measure() { # label url [script]
    local label=$1 url=$2 script=${3:-}
    local args=(-t2 "-c$connections" "-d$duration" --latency)
    [ -n "$script" ] && args+=(-s "$script")
    wrk "${args[@]}" "$url" ${script:+-- "$work/devices.txt" 2} > "$work/$label.out"
    wrk_row "$label"
}

mkdir -p benchmarks/results
{
    printf 'target\trequests/s\tp50 ms\tp99 ms\tnon-2xx\n'
    measure nginx-static "http://127.0.0.1:$nginx_port/script.ipxe"
    measure boot.ipxe "http://127.0.0.1:$port/boot.ipxe"
    measure device-script "http://127.0.0.1:$port" benchmarks/wrk/device-script.lua
    measure deployment-mix "http://127.0.0.1:$port" benchmarks/wrk/device-mix.lua
} | tee benchmarks/results/endpoint.tsv | column -t -s $'\t'
awk -F'\t' 'NR == 2 { nginx = $2 } $1 == "device-script" { printf "per-device script at %.0f %% of nginx static (target: 50 %%); script size %d bytes\n", 100 * $2 / nginx, size }' \
    size="$(wc -c < "$work/www/script.ipxe")" benchmarks/results/endpoint.tsv
