#!/usr/bin/env bash
# The Redfish service under load, each figure next to a baseline from the same run: GET of one
# ComputerSystem (its PowerState read from libvirt each time, its body kept while unchanged) of a
# lab of virtual devices kept up by `pxelab run --keep`, over HTTPS with wrk (16 connections): with a session's X-Auth-Token, with
# Basic credentials, and the service root without credentials; next to nginx serving the same
# bytes as a static file over HTTPS with the same certificate. wrk and the servers share the
# machine's cores: compare ratios, not absolute figures. Not measured here yet: sushy-tools
# (issue 19's comparison needs python3-libvirt and the lab's domains on one libvirt host).
#
#   benchmarks/redfish.sh            (DEVICES=100 DURATION=10s CONNECTIONS=16; PXELAB=path: that build)
#
# Prints a table and writes benchmarks/results/redfish.tsv. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${DEVICES:-100}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
. benchmarks/served-lab.sh
work=$(mktemp -d /tmp/pxelab-bench.XXXXXX)
lab="$work/bench.yaml"
sed "s/COUNT/$devices/" benchmarks/fleet-template.yaml > "$lab"
redfish_port=$(free_port)
binary=$(realpath "$pxelab") images=$(realpath Images)
(cd "$work" && exec "$binary" run "$lab" --keep --scale 0 --images "$images" \
    --redfish-listen "127.0.0.1:$redfish_port" >"$work/run.log" 2>&1) &
serve_pid=$!
for _ in $(seq 1 600); do grep -q "^Redfish at" "$work/run.log" 2>/dev/null && break; sleep 0.1; done
grep -q "^Redfish at" "$work/run.log" || { cat "$work/run.log" >&2; echo "error: the lab did not come up" >&2; exit 1; }
state="$work/.pxelab/fleet"
base="https://127.0.0.1:$redfish_port"
password=$(cat "$state/redfish.password")
curl_rf() { curl -sf --cacert "$state/redfish-ca.pem" "$@"; }
token=$(curl_rf -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"UserName\": \"admin\", \"Password\": \"$password\"}" "$base/redfish/v1/SessionService/Sessions" \
    | awk -F': ' 'tolower($1) == "x-auth-token" { print $2 }' | tr -d '\r')
system=$(curl_rf -H "X-Auth-Token: $token" "$base/redfish/v1/Systems" | python3 -c 'import json, sys; print(json.load(sys.stdin)["Members"][0]["@odata.id"])')
mkdir -p "$work/www"
chmod 755 "$work" "$work/www"
curl_rf -H "X-Auth-Token: $token" "$base$system" > "$work/www/system.json"

serve_static system.json "$state/redfish.pem" "$state/redfish.key" "$state/redfish-ca.pem"

measure() { # label url [header]
    wrk -t2 "-c$connections" "-d$duration" --latency ${3:+-H "$3"} "$2" > "$work/$1.out"
    wrk_row "$1"
}
basic=$(printf 'admin:%s' "$password" | base64 -w0)
mkdir -p benchmarks/results
{
    printf 'measure\trequests/s\tp50 ms\tp99 ms\tnon-2xx\n'
    measure nginx-static "https://127.0.0.1:$nginx_port/system.json"
    measure system-session "$base$system" "X-Auth-Token: $token"
    measure system-basic "$base$system" "Authorization: Basic $basic"
    measure root-no-credentials "$base/redfish/v1/"
} > benchmarks/results/redfish.tsv
column -t -s $'\t' benchmarks/results/redfish.tsv
echo "a system is $(wc -c < "$work/www/system.json") bytes; $devices virtual devices"
