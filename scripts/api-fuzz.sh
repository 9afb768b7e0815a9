#!/usr/bin/env bash
# Checks the endpoint against its own OpenAPI description with schemathesis (a schema-driven
# fuzzer): starts `pxelab serve` for a copy of a lab in a temporary state folder, loads the spec
# the server serves (/openapi.yaml) and sends generated requests, valid and invalid, to the admin
# API (/api/v1), the device routes (/boot.ipxe, /ipxe, /assets, /autopilot, /oobe, /mdm) and the
# Graph door (/beta/... and /v1.0/..., tag graph: Intune's deviceManagement, groups, devices,
# organization). Every response must be no 5xx and have a status code, a content type and a body
# the spec documents.
# Exits non-zero on any failure (or if the server dies), after a summary.
#
#   API_FUZZ_EXAMPLES   test cases per operation in the fuzzing phase (default 50)
#   API_FUZZ_SEED       the random seed (default 1: runs are repeatable)
#   API_FUZZ_PHASES     schemathesis phases (default examples,coverage,fuzzing)
#   API_FUZZ_LAB        the lab file to serve (default Topologies/demo.yaml; copied, never changed)
#   API_FUZZ_SPEC       an OpenAPI file to check against instead of the one the server serves (to
#                       try a change to Sources/BootEndpoint/openapi.yaml without rebuilding)
#   API_FUZZ_CHECKS     extra schemathesis checks, comma-separated (e.g. positive_data_acceptance)
#   PXELAB              the pxelab binary (default .build/debug/pxelab; not built here)
#   PYTHON              the Python that makes the venv (default python3)
#
# Writes under .build-fuzz/ (ignored by git): venv/ (schemathesis, pinned below) and api-fuzz/
# (schemathesis.log, report.json, junit.xml, calls.log: every request's operation and status,
# server.log). The lab's state is a temporary folder, removed on exit with the server stopped.
# scripts/api-fuzz-hooks.py gives each request its bearer token (the admin token, the named
# device's own token on device routes, the lab's Graph token, graph.token, on Graph routes) and logs
# the calls.
#
# Not fuzzed: GET /api/v1/stream (server-sent events, never ends), PUT /api/v1/graph/settings (it
# would inject 503s into the Graph routes, which the no-5xx check then reports), the dashboard (/, /dashboard/),
# /metrics and /openapi.yaml. Nothing here powers a VM: `pxelab serve` hosts no devices, so the
# flows (POST /api/v1/devices/{name}/flows/{flow}, power included) answer 409 no-devices-hosted,
# queued actions (Graph's managedDevices wipe, retire, rebootNow too) wait for a device that never
# asks, and the lab runs on the embedded default. Graph calls change the lab as they would any
# lab (deleted registrations, new groups, profiles and uploads, a sync that makes the next 429).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
PXELAB=${PXELAB:-.build/debug/pxelab}
PYTHON=${PYTHON:-python3}
EXAMPLES=${API_FUZZ_EXAMPLES:-50}
SEED=${API_FUZZ_SEED:-1}
PHASES=${API_FUZZ_PHASES:-examples,coverage,fuzzing}
LAB_FILE=${API_FUZZ_LAB:-Topologies/demo.yaml}
SPEC=${API_FUZZ_SPEC:-}
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
CHECKS+=${API_FUZZ_CHECKS:+,$API_FUZZ_CHECKS}
SCRATCH=.build-fuzz
VENV=$SCRATCH/venv
OUT=$SCRATCH/api-fuzz

[[ -x "$PXELAB" ]] || { echo "error: no pxelab at $PXELAB (build it first, or set PXELAB)" >&2; exit 2; }
[[ -f "$LAB_FILE" ]] || { echo "error: no lab file $LAB_FILE" >&2; exit 2; }
[[ -z "$SPEC" || -f "$SPEC" ]] || { echo "error: no OpenAPI file $SPEC" >&2; exit 2; }
for tool in curl jq; do
    command -v "$tool" >/dev/null || { echo "error: $tool is needed" >&2; exit 2; }
done

# schemathesis in its own venv, at the pinned version.
if [[ ! -x "$VENV/bin/schemathesis" ]] \
   || [[ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != *" $SCHEMATHESIS_VERSION" ]]; then
    echo "== installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
work=$(mktemp -d "${TMPDIR:-/tmp}/pxelab-api-fuzz.XXXXXX")
server_pid=
server_log=$OUT/server.log
stop_server() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    [[ -z "$server_pid" ]] || wait "$server_pid" 2>/dev/null || true
    server_pid=
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The lab, copied to the temporary folder with its state next to it; port 0 picks a free port,
# which the server prints once it listens.
lab_copy=$work/$(basename "$LAB_FILE")
cp "$LAB_FILE" "$lab_copy"
"$PXELAB" serve --lab "$lab_copy" --state-dir "$work/state" --port 0 --listen 127.0.0.1 --images Images \
    >"$server_log" 2>&1 &
server_pid=$!

port=
for _ in $(seq 300); do   # at most 30 s
    kill -0 "$server_pid" 2>/dev/null || { cat "$server_log" >&2; echo "error: pxelab serve exited" >&2; exit 2; }
    port=$(sed -n 's|.*serving on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$server_log" | head -n 1)
    [[ -n "$port" ]] && break
    sleep 0.1
done
[[ -n "$port" ]] || { cat "$server_log" >&2; echo "error: pxelab serve did not say which port it listens on" >&2; exit 2; }
base=http://127.0.0.1:$port
for attempt in $(seq 100); do   # at most about 10 s
    curl -fsS -o /dev/null --max-time 2 "$base/openapi.yaml" && break
    [[ $attempt == 100 ]] && { echo "error: $base/openapi.yaml does not answer" >&2; exit 2; }
    sleep 0.1
done

token_file=$(find "$work/state" -mindepth 2 -maxdepth 2 -name admin.token | head -n 1)
[[ -n "$token_file" ]] || { echo "error: no admin.token under $work/state" >&2; exit 2; }
token=$(tr -d '[:space:]' <"$token_file")
admin() { curl -fsS --max-time 10 -H "Authorization: Bearer $token" "$base$1"; }
graph_token_file=$(dirname "$token_file")/graph.token
[[ -f "$graph_token_file" ]] || { echo "error: no graph.token next to $token_file" >&2; exit 2; }
graph_token=$(tr -d '[:space:]' <"$graph_token_file")
# A Graph list for the dictionaries; empty when the lab file's `graph` section refuses the call.
graph() { curl -fsS --max-time 10 -H "Authorization: Bearer $graph_token" "$base$1" 2>/dev/null || echo '{"value": []}'; }

# Realistic values, so that generated requests get past "not found": the lab's device names,
# serials, MACs (both spellings), UUIDs, profile ids and asset names, and Graph's ids (registrations,
# profiles and their assignments, groups, Entra devices, ESP profiles), each used with some
# probability next to generated ones. Each device's token comes from its boot script, as a
# device gets it.
admin /api/v1/devices >"$work/devices.json"
admin /api/v1/profiles >"$work/profiles.json"
graph /beta/deviceManagement/windowsAutopilotDeviceIdentities >"$work/graph-identities.json"
graph /beta/deviceManagement/windowsAutopilotDeploymentProfiles >"$work/graph-profiles.json"
graph /beta/groups >"$work/graph-groups.json"
graph /beta/devices >"$work/graph-devices.json"
graph /beta/deviceManagement/deviceEnrollmentConfigurations >"$work/graph-configurations.json"
for profile in $(jq -r '.value[].id' "$work/graph-profiles.json"); do
    graph "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/$profile/assignments"
done | jq -s '[.[].value[]]' >"$work/graph-assignments.json"
device_tokens='{}'
while IFS=$'\t' read -r name mac; do
    script=$(curl -fsS --max-time 10 "$base/ipxe?mac=$mac")
    device_token=$(sed -n 's/.*pxelab\.token=\([0-9a-f]*\).*/\1/p' <<<"$script" | head -n 1)
    [[ -n "$device_token" ]] || { echo "error: the boot script of $name has no token" >&2; exit 2; }
    device_tokens=$(jq -c --arg name "$name" --arg token "$device_token" '. + {($name): $token}' <<<"$device_tokens")
done < <(jq -r '.[] | [.name, .mac] | @tsv' "$work/devices.json")
# One device enrolled in the lab's MDM (as its OOBE would), so that Graph's managedDevices routes
# have a device to find.
first_device=$(jq -r '.[0].name // empty' "$work/devices.json")
if [[ -n "$first_device" ]]; then
    curl -fsS --max-time 10 -o /dev/null -X POST "$base/mdm/v1/enroll" \
        -H "Authorization: Bearer $(jq -r --arg name "$first_device" '.[$name]' <<<"$device_tokens")" \
        -H 'Content-Type: application/json' -d "$(jq -cn --arg name "$first_device" '{device: $name, mode: "user-driven"}')" \
        || echo "warning: could not enroll $first_device; Graph's managedDevices stay empty" >&2
fi
graph /beta/deviceManagement/managedDevices >"$work/graph-managed-devices.json"
calls=$PWD/$OUT/calls.log
: >"$calls"
jq -n --arg admin "$token" --arg graph "$graph_token" --argjson devices "$device_tokens" --arg calls "$calls" \
    '{adminToken: $admin, graphToken: $graph, deviceTokens: $devices, calls: $calls}' >"$work/fixtures.json"

values() { jq -c "[$1 | tostring] | unique" "$2"; }
find Images -maxdepth 1 -type f -printf '%f\n' | jq -R . | jq -s . >"$work/assets.json"
{
    echo '[cache]'
    echo 'enabled = false'
    echo '[dictionaries.devices]'
    echo "values = $(values '.[].name' "$work/devices.json")"
    echo '[dictionaries.serials]'
    echo "values = $(values '.[].serial' "$work/devices.json")"
    echo '[dictionaries.macs]'
    echo "values = $(values '.[].mac, (.[].mac | gsub(":"; "-"))' "$work/devices.json")"
    echo '[dictionaries.uuids]'
    echo "values = $(values '.[].uuid' "$work/devices.json")"
    echo '[dictionaries.profiles]'
    echo "values = $(values '(.[].id // empty), "none"' "$work/profiles.json")"
    echo '[dictionaries.assets]'
    echo "values = $(values '.[]' "$work/assets.json")"
    echo '[dictionaries.graph-identities]'
    echo "values = $(values '.value[].id, "none"' "$work/graph-identities.json")"
    echo '[dictionaries.graph-profiles]'
    echo "values = $(values '.value[].id, "none"' "$work/graph-profiles.json")"
    echo '[dictionaries.graph-assignments]'
    echo "values = $(values '.[].id, "none"' "$work/graph-assignments.json")"
    echo '[dictionaries.graph-groups]'
    echo "values = $(values '.value[].id, "adadadad-808e-44e2-905a-0b7873a8a531"' "$work/graph-groups.json")"
    echo '[dictionaries.graph-devices]'
    echo "values = $(values '.value[].id, "none"' "$work/graph-devices.json")"
    echo '[dictionaries.graph-configurations]'
    echo "values = $(values '.value[].id, "none"' "$work/graph-configurations.json")"
    echo '[dictionaries.graph-managed-devices]'
    echo "values = $(values '.value[].id, "none"' "$work/graph-managed-devices.json")"
    echo '[parameters]'
    echo '"path.name" = { dictionary = "devices", probability = 0.8 }'
    echo '"query.device" = { dictionary = "devices", probability = 0.8 }'
    echo '"body.device" = { dictionary = "devices", probability = 0.8 }'
    echo '"path.serial" = { dictionary = "serials", probability = 0.8 }'
    echo '"query.serial" = { dictionary = "serials", probability = 0.8 }'
    echo '"query.mac" = { dictionary = "macs", probability = 0.5 }'
    echo '"query.uuid" = { dictionary = "uuids", probability = 0.5 }'
    echo '"path.id" = { dictionary = "profiles", probability = 0.5 }'
    echo '"path.path" = { dictionary = "assets", probability = 0.5 }'
    echo '"path.identityId" = { dictionary = "graph-identities", probability = 0.5 }'
    echo '"path.profileId" = { dictionary = "graph-profiles", probability = 0.7 }'
    echo '"path.assignmentId" = { dictionary = "graph-assignments", probability = 0.5 }'
    echo '"path.groupId" = { dictionary = "graph-groups", probability = 0.5 }'
    echo '"path.deviceObjectId" = { dictionary = "graph-devices", probability = 0.5 }'
    echo '"path.configurationId" = { dictionary = "graph-configurations", probability = 0.5 }'
    echo '"path.managedDeviceId" = { dictionary = "graph-managed-devices", probability = 0.5 }'
} >"$work/schemathesis.toml"

spec_location=${SPEC:-$base/openapi.yaml}
echo "== schemathesis $SCHEMATHESIS_VERSION: $base against $spec_location (lab $LAB_FILE, seed $SEED, $EXAMPLES examples per operation)"
started=$SECONDS
set +e
API_FUZZ_FIXTURES=$work/fixtures.json SCHEMATHESIS_HOOKS=scripts/api-fuzz-hooks.py \
"$VENV/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$spec_location" \
    --url "$base" \
    --generation-with-security-parameters false \
    --checks "$CHECKS" \
    --include-tag admin --include-tag device --include-tag boot --include-tag autopilot --include-tag graph \
    --exclude-name-regex '^(GET /api/v1/stream|PUT /api/v1/graph/settings)$' \
    --phases "$PHASES" \
    --max-examples "$EXAMPLES" \
    --seed "$SEED" \
    --workers 1 \
    --generation-database none \
    --request-timeout 30 \
    --suppress-health-check all \
    --continue-on-failure \
    --no-color \
    --report json,junit --report-dir "$OUT" \
    --report-json-path "$OUT/report.json" --report-junit-path "$OUT/junit.xml" \
    2>&1 | tee "$OUT/schemathesis.log"
status=${PIPESTATUS[0]}
set -e
elapsed=$((SECONDS - started))

# The server must have survived everything.
server_alive=yes
kill -0 "$server_pid" 2>/dev/null || server_alive=no
stop_server

echo "== api-fuzz summary"
echo "responses by operation and status (calls.log):"
awk '$1 ~ /sent-as/ { probes++; next } { op = $1 " " $2; total[op]++; by[op " " $3]++ }
     END { for (k in by) { split(k, p, " "); statuses[p[1] " " p[2]] = statuses[p[1] " " p[2]] " " p[3] ":" by[k] }
           for (op in total) printf "  %-46s %5d  %s\n", op, total[op], statuses[op]
           if (probes) printf "  (and %d requests with a method the path does not have)\n", probes }' "$calls" | sort -k2,2 -k1,1
if [[ -f "$OUT/report.json" ]]; then
    jq -r '"operations: \(.operations.tested) tested of \(.operations.selected) selected; "
           + "test cases: \(.test_cases.generated) generated, \(.test_cases.with_failures) with failures, "
           + "\(.test_cases.unique_failures) unique failures, \(.test_cases.errored) errored; "
           + "schemathesis ran \(.running_time | floor)s"' "$OUT/report.json"
fi
echo "requests sent: $(wc -l <"$calls"); schemathesis exit status $status after ${elapsed}s; server alive at the end: $server_alive"
echo "reports: $OUT/ (schemathesis.log, report.json, junit.xml, calls.log, server.log)"
if [[ $server_alive != yes ]]; then
    echo "FINDING: pxelab serve died during the run (see $server_log)"
    exit 1
fi
if [[ $status != 0 ]]; then
    echo "FINDING: schemathesis reported failures (above, and in $OUT/report.json)"
fi
exit "$status"
