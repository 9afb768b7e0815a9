#!/usr/bin/env bash
# The Graph door under load, each figure next to a baseline from the same run:
#   - a page of 1,000 windowsAutopilotDeviceIdentities of a 10,000-device lab, wrk with 16
#     connections, next to nginx serving the same bytes as a static file;
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
pxelab=${PXELAB:-.build/release/pxelab}
[ -x "$pxelab" ] || swift build -c release --product pxelab >/dev/null
scripts/install-clients.sh
python=.build-clients/venv/bin/python
work=$(mktemp -d /tmp/pxelab-bench-graph.XXXXXX)
cleanup() {
    [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
seconds() { python3 -c 'import time; print(time.monotonic())'; }

lab="$work/bench.yaml"
sed "s/COUNT/$devices/" benchmarks/fleet-template.yaml > "$lab"
"$pxelab" up "$lab" --state-dir "$work/state" >/dev/null
port=$(free_port)
"$pxelab" serve --lab "$lab" --state-dir "$work/state" --port "$port" >"$work/serve.log" 2>&1 &
serve_pid=$!
chmod 755 "$work"
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break; sleep 0.1; done
token=$(cat "$work/state/fleet/graph.token")
page="/beta/deviceManagement/windowsAutopilotDeviceIdentities"
mkdir -p "$work/www"
curl -sf "http://127.0.0.1:$port$page" -H "Authorization: Bearer $token" > "$work/www/page.json"
nginx_port=$(free_port)
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$nginx_port/page.json" >/dev/null && break; sleep 0.1; done

rate() { # url [header]
    wrk -t2 "-c$connections" "-d$duration" --latency ${2:+-H "$2"} "$1" > "$work/wrk.out"
    grep -q "Non-2xx" "$work/wrk.out" && { echo "error: non-2xx answers from $1" >&2; cat "$work/wrk.out" >&2; exit 1; }
    awk '/Requests\/sec:/ { print $2 }' "$work/wrk.out"
}
bytes=$(wc -c < "$work/www/page.json")
nginx_rate=$(rate "http://127.0.0.1:$nginx_port/page.json")
pxelab_rate=$(rate "http://127.0.0.1:$port$page" "Authorization: Bearer $token")

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
    printf 'list-%d-seconds\t%s\t%s\t%.1f\n' "$devices" "$sdk_seconds" "$curl_seconds" "$(python3 -c "print($sdk_seconds / $curl_seconds)")"
    printf 'import-500-seconds\t%s\t-\t-\n' "$import_seconds"
} > benchmarks/results/graph.tsv
echo "a page of 1,000 identities ($bytes bytes): pxelab $pxelab_rate/s, nginx (same bytes, static) $nginx_rate/s"
echo "$devices identities in $pages pages: v1.0 SDK page iterator $sdk_seconds s, curl following nextLink $curl_seconds s"
echo "500 rows through the bulk import, upload to all complete: $import_seconds s"
