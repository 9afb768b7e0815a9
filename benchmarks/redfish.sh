#!/usr/bin/env bash
# The Redfish service under load, each figure next to a baseline from the same run, wrk with 16
# connections over keep-alive:
# - GET of one ComputerSystem of a lab of virtual devices kept up by `pxelab run --keep` (its
#   PowerState read from libvirt each time, its body kept while unchanged), over HTTPS: with a
#   session's X-Auth-Token, with Basic credentials, and the service root without credentials;
#   next to nginx serving the same bytes as a static file over HTTPS with the same certificate,
#   and next to sushy-tools (OpenStack's libvirt emulator, no authentication, plain HTTP, as the
#   issue measured it): on `test:///default` (its one domain, the issue's set-up) and on the same
#   domains as the lab (the lab's embedded libvirt definitions opened by sushy-tools' own test
#   driver, `test:///<lab folder>/embedded-libvirt.xml`, so the same UUIDs);
# - reset-to-PowerState latency (benchmarks/redfish-reset.py: ForceOff until Off reads, On until
#   On reads) on the lab. Not on sushy-tools: it opens a libvirt connection per call, and the test
#   driver starts every connection from its definitions again, so a reset never shows;
# - a Metal3-like poll: every system of a lab of POLL_DEVICES in turn (benchmarks/wrk/
#   redfish-systems.lua), the time one sweep of them all takes, against the 120 s Ironic gives it.
# wrk and the servers share the machine's cores: compare ratios, not absolute figures.
#
#   benchmarks/redfish.sh   (DEVICES=100 POLL_DEVICES=10000 DURATION=10s CONNECTIONS=16 CYCLES=20;
#                            PXELAB=path: that build)
#
# Prints a table and writes benchmarks/results/redfish.tsv. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${DEVICES:-100}
poll_devices=${POLL_DEVICES:-10000}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
cycles=${CYCLES:-20}
. benchmarks/served-lab.sh
scripts/install-clients.sh sushy-tools >/dev/null
work=$(mktemp -d /tmp/pxelab-bench.XXXXXX)
binary=$(realpath "$pxelab") images=$(realpath Images)

keep_lab() { # name devices: runs a lab of virtual devices and keeps it up; sets state, base, token, system
    local folder="$work/$1"
    mkdir -p "$folder"
    sed "s/COUNT/$2/" benchmarks/fleet-template.yaml > "$folder/bench.yaml"
    local port
    port=$(free_port)
    (cd "$folder" && exec "$binary" run bench.yaml --keep --scale 0 --images "$images" \
        --redfish-listen "127.0.0.1:$port" >"$folder/run.log" 2>&1) &
    serve_pid=$!
    # "Redfish at" is printed once the run's deployment is over.
    for _ in $(seq 1 12000); do grep -q "^Redfish at" "$folder/run.log" 2>/dev/null && break; sleep 0.1; done
    grep -q "^Redfish at" "$folder/run.log" || { tail "$folder/run.log" >&2; echo "error: the lab did not come up" >&2; exit 1; }
    state="$folder/.pxelab/fleet"
    base="https://127.0.0.1:$port"
    password=$(cat "$state/redfish.password")
    token=$(curl_rf -D - -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"UserName\": \"admin\", \"Password\": \"$password\"}" "$base/redfish/v1/SessionService/Sessions" \
        | awk -F': ' 'tolower($1) == "x-auth-token" { print $2 }' | tr -d '\r')
    curl_rf -H "X-Auth-Token: $token" "$base/redfish/v1/Systems" \
        | python3 -c 'import json, sys; print("\n".join(m["@odata.id"] for m in json.load(sys.stdin)["Members"]))' > "$folder/systems"
    system=$(head -1 "$folder/systems")
}
stop_lab() {
    kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true
    serve_pid=
}
curl_rf() { curl -sf --cacert "$state/redfish-ca.pem" "$@"; }
measure() { # label url [header [lua-script [script arguments...]]]
    local script=()
    [ -n "${4:-}" ] && script=(-s "$4")
    wrk -t2 "-c$connections" "-d$duration" --latency ${3:+-H "$3"} "${script[@]}" "$2" ${5:+-- "${@:5}"} > "$work/$1.out"
    wrk_row "$1"
}

keep_lab small "$devices"
mkdir -p "$work/www"
chmod 755 "$work" "$work/www"
curl_rf -H "X-Auth-Token: $token" "$base$system" > "$work/www/system.json"
serve_static system.json "$state/redfish.pem" "$state/redfish.key" "$state/redfish-ca.pem"
sushy_tools() { # name libvirt-uri: starts sushy-tools on it; sets sushy_port, sushy_system (its first system)
    sushy_port=$(free_port)
    .build-clients/sushy-tools-venv/bin/sushy-emulator --libvirt-uri "$2" -i 127.0.0.1 -p "$sushy_port" >"$work/$1.log" 2>&1 &
    also_stop+=($!)
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$sushy_port/redfish/v1/Systems" >/dev/null && break; sleep 0.1; done
    sushy_system=$(curl -sf "http://127.0.0.1:$sushy_port/redfish/v1/Systems" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["Members"][0]["@odata.id"])') \
        || { cat "$work/$1.log" >&2; echo "error: sushy-tools on $2 serves no system" >&2; exit 1; }
}
sushy_tools sushy-default test:///default
sushy_default="http://127.0.0.1:$sushy_port$sushy_system"
sushy_tools sushy-lab "test:///$state/embedded-libvirt.xml"
sushy_lab="http://127.0.0.1:$sushy_port$system"

basic=$(printf 'admin:%s' "$password" | base64 -w0)
mkdir -p benchmarks/results
{
    printf 'measure\trequests/s\tp50 ms\tp99 ms\tnon-2xx\n'
    measure nginx-static "https://127.0.0.1:$nginx_port/system.json"
    measure system-session "$base$system" "X-Auth-Token: $token"
    measure system-basic "$base$system" "Authorization: Basic $basic"
    measure root-no-credentials "$base/redfish/v1/"
    measure sushy-tools-system-default "$sushy_default"
    measure "sushy-tools-system-$devices-domains" "$sushy_lab"
} > benchmarks/results/redfish.tsv
{
    printf 'reset\tcount\tp50 ms\tp99 ms\tmax ms\n'
    python3 benchmarks/redfish-reset.py pxelab "$base" "$system" "$cycles" "X-Auth-Token: $token" "$state/redfish-ca.pem"
} > benchmarks/results/redfish-reset.tsv
echo "a system is $(wc -c < "$work/www/system.json") bytes; $devices virtual devices"
column -t -s $'\t' benchmarks/results/redfish.tsv
column -t -s $'\t' benchmarks/results/redfish-reset.tsv
stop_lab

keep_lab poll "$poll_devices"
{
    printf 'measure\trequests/s\tp50 ms\tp99 ms\tnon-2xx\n'
    # The first sweeps render every system (and the first look at each registration stores its
    # assignment, a commit that makes every kept system render again); the next ones are kept.
    measure "poll-$poll_devices-systems-first" "$base" "X-Auth-Token: $token" benchmarks/wrk/redfish-systems.lua "$work/poll/systems"
    measure "poll-$poll_devices-systems-then" "$base" "X-Auth-Token: $token" benchmarks/wrk/redfish-systems.lua "$work/poll/systems"
} > benchmarks/results/redfish-poll.tsv
column -t -s $'\t' benchmarks/results/redfish-poll.tsv
awk -F'\t' -v n="$poll_devices" 'NR > 1 { printf "%s: one sweep of %d systems takes %.2f s of the 120 s Ironic polls them in\n", $1, n, n / $2 }' \
    benchmarks/results/redfish-poll.tsv
