#!/usr/bin/env bash
# The Graph door under load, each figure next to a baseline from the same run:
#   - a page of 1,000 windowsAutopilotDeviceIdentities of a 10,000-device lab, wrk with 16
#     connections, next to nginx serving the same bytes as a static file: the page as scripts
#     read it again and again (kept as rendered), and built from the store for every request
#     (each with a query never sent before, benchmarks/wrk/graph-built-page.lua);
#   - every identity through the v1.0 Python SDK's page iterator (10 pages), next to curl
#     fetching the same 10 pages;
#   - 500 hardware hashes through the bulk import, from the upload until every row reads complete
#     (the lab's import delay is 0 s).
# wrk and the servers share the machine's cores: compare ratios, not absolute figures.
#
#   benchmarks/graph.sh            (DEVICES=10000 DURATION=10s CONNECTIONS=16; PXELAB=path: that build)
#
# Prints a table and writes benchmarks/results/graph.tsv. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${DEVICES:-10000}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
. benchmarks/served-lab.sh
scripts/install-clients.sh
python=.build-clients/venv/bin/python
seconds() { python3 -c 'import time; print(time.monotonic())'; }
serve_lab "$devices" 300
token=$(cat "$work/state/fleet/graph.token")
page="/beta/deviceManagement/windowsAutopilotDeviceIdentities"
curl -sf "http://127.0.0.1:$port$page" -H "Authorization: Bearer $token" > "$work/www/page.json"
serve_static page.json

rate() { # url [header] [script]
    wrk -t2 "-c$connections" "-d$duration" --latency ${2:+-H "$2"} ${3:+-s "$3"} "$1" > "$work/wrk.out"
    grep -q "Non-2xx" "$work/wrk.out" && { echo "error: non-2xx answers from $1" >&2; cat "$work/wrk.out" >&2; exit 1; }
    awk '/Requests\/sec:/ { print $2 }' "$work/wrk.out"
}
bytes=$(wc -c < "$work/www/page.json")
nginx_rate=$(rate "http://127.0.0.1:$nginx_port/page.json")
pxelab_rate=$(rate "http://127.0.0.1:$port$page" "Authorization: Bearer $token")
built_rate=$(rate "http://127.0.0.1:$port" "Authorization: Bearer $token" benchmarks/wrk/graph-built-page.lua)

# The same 10 pages: curl following nextLink, then the SDK's page iterator.
start=$(seconds)
next="http://127.0.0.1:$port/v1.0/deviceManagement/windowsAutopilotDeviceIdentities"
pages=0
while [ -n "$next" ]; do
    next=$(curl -sf "$next" -H "Authorization: Bearer $token" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("@odata.nextLink", ""))')
    pages=$((pages + 1))
done
curl_seconds=$(python3 -c "print(round($(seconds) - $start, 2))")
start=$(seconds)
listed=$(PXELAB_GRAPH_BASE="http://127.0.0.1:$port" PXELAB_GRAPH_TOKEN="$token" "$python" Clients/graph/lab_graph.py page \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["distinct"])')
sdk_seconds=$(python3 -c "print(round($(seconds) - $start, 2))")
[ "$listed" = "$devices" ] || { echo "error: the SDK listed $listed identities of $devices" >&2; exit 1; }

# 500 hashes of devices the lab does not have, uploaded at once, read back until all complete.
sed -e "s/COUNT/500/" -e 's/name: "dev-{seq:05}", serial: "BENCH{seq:06}"/name: "new-{seq:03}", serial: "NEW{seq:06}"/' \
    benchmarks/fleet-template.yaml > "$work/new.yaml"
for n in $(seq -f "%03g" 1 500); do
    printf '{"serialNumber": "NEW%06d", "hardwareIdentifier": "%s"}\n' "$((10#$n))" "$("$pxelab" hash encode "$work/new.yaml" "new-$n")"
done | python3 -c 'import json, sys; print(json.dumps({"importedWindowsAutopilotDeviceIdentities": [json.loads(l) for l in sys.stdin]}))' \
    > "$work/import.json"
start=$(seconds)
curl -sf "http://127.0.0.1:$port/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import" \
    -H "Authorization: Bearer $token" -H "Content-Type: application/json" --data-binary "@$work/import.json" >/dev/null
while true; do
    left=$(curl -sf "http://127.0.0.1:$port/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities" -H "Authorization: Bearer $token" \
        | python3 -c 'import json, sys; v = json.load(sys.stdin)["value"]; print(sum(1 for r in v if r["state"]["deviceImportStatus"] != "complete"))')
    [ "$left" = 0 ] && break
done
import_seconds=$(python3 -c "print(round($(seconds) - $start, 2))")

mkdir -p benchmarks/results
{
    printf 'measure\tpxelab\tbaseline\tratio\n'
    printf 'page-of-1000-per-s\t%.0f\t%.0f\t%.2f\n' "$pxelab_rate" "$nginx_rate" "$(python3 -c "print($pxelab_rate / $nginx_rate)")"
    printf 'built-page-of-1000-per-s\t%.0f\t%.0f\t%.2f\n' "$built_rate" "$nginx_rate" "$(python3 -c "print($built_rate / $nginx_rate)")"
    printf 'list-%d-seconds\t%s\t%s\t%.1f\n' "$devices" "$sdk_seconds" "$curl_seconds" "$(python3 -c "print($sdk_seconds / $curl_seconds)")"
    printf 'import-500-seconds\t%s\t-\t-\n' "$import_seconds"
} > benchmarks/results/graph.tsv
echo "a page of 1,000 identities ($bytes bytes): pxelab $pxelab_rate/s (kept), $built_rate/s (built from the store each time), nginx (same bytes, static) $nginx_rate/s"
echo "$devices identities in $pages pages: v1.0 SDK page iterator $sdk_seconds s, curl following nextLink $curl_seconds s"
echo "500 rows through the bulk import, upload to all complete: $import_seconds s"
