# schemathesis hooks for scripts/api-fuzz.sh: the bearer token each request carries, and a log of
# every response's status (the summary's per-operation table).
#
# API_FUZZ_FIXTURES names a JSON file the script writes once the server runs:
#   {"adminToken": "...", "graphToken": "...", "deviceTokens": {"sales-01": "...", ...},
#    "calls": "path/to/calls.log"}
#
# Admin routes get the admin token; Graph routes (/beta/..., /v1.0/...) the lab's Graph token
# (graph.token, next to admin.token). Device routes (/oobe/v1, /mdm/v1) get the token of the device
# the request names (body or query `device`), as a real device would send; a request naming no lab
# device, and every request for the last device in the list, get the admin token instead, so the
# 404 and 403 (not this device's token) answers are exercised too. A request that already carries
# an Authorization header (schemathesis testing authentication) keeps it.
#
# Event batches (POST /oobe/v1/events) for a lab device whose events all have a positive integer
# seq are renumbered to follow the device's last stored event, so that generated events (times,
# codes, messages) get stored and come back through GET /api/v1/devices/{name}/timeline instead
# of all being refused as out of order.
import json
import os

import schemathesis

with open(os.environ["API_FUZZ_FIXTURES"]) as fixtures_file:
    FIXTURES = json.load(fixtures_file)
ADMIN = FIXTURES["adminToken"]
GRAPH = FIXTURES["graphToken"]
GRAPH_PREFIXES = ("/beta/", "/v1.0/")
DEVICE_TOKENS = FIXTURES["deviceTokens"]
WRONG_TOKEN_DEVICE = list(DEVICE_TOKENS)[-1] if DEVICE_TOKENS else None
CALLS = FIXTURES["calls"]
LAST_SEQ = {}


def _named_device(case):
    if isinstance(case.body, dict) and isinstance(case.body.get("device"), str):
        return case.body["device"]
    if case.query and isinstance(case.query.get("device"), str):
        return case.query["device"]
    return None


@schemathesis.hook
def before_call(context, case, **kwargs):
    headers = dict(case.headers or {})
    if any(name.lower() == "authorization" for name in headers):
        return
    token = ADMIN
    if case.operation.path.startswith(GRAPH_PREFIXES):
        token = GRAPH
    elif case.operation.path.startswith(("/oobe/v1/", "/mdm/v1/")):
        device = _named_device(case)
        if device in DEVICE_TOKENS and device != WRONG_TOKEN_DEVICE:
            token = DEVICE_TOKENS[device]
    headers["Authorization"] = f"Bearer {token}"
    case.headers = headers
    if case.operation.path == "/oobe/v1/events" and token != ADMIN:
        events = case.body.get("events")
        if isinstance(events, list) and events and all(
            isinstance(event, dict) and type(event.get("seq")) is int and event["seq"] >= 1 for event in events
        ):
            first = LAST_SEQ.get(case.body["device"], 0) + 1
            for offset, event in enumerate(events):
                event["seq"] = first + offset


@schemathesis.hook
def after_call(context, case, response):
    if case.operation.path == "/oobe/v1/events" and response.status_code == 200 and isinstance(case.body, dict):
        try:
            LAST_SEQ[case.body["device"]] = int(response.json()["lastSeq"])
        except (ValueError, KeyError, TypeError):
            pass
    method = case.operation.method.upper()
    if case.method.upper() != method:
        method = f"{method}(sent-as-{case.method.upper()})"
    with open(CALLS, "a") as calls:
        calls.write(f"{method} {case.operation.path} {response.status_code}\n")
