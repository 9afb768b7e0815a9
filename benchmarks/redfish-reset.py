"""Reset-to-PowerState latency of a Redfish service, as Ironic and MAAS see it: POST a reset, then
GET the system until its PowerState reads the new state; the time from the POST to that GET, for
ForceOff (to Off) and On (to On), CYCLES times each, on one kept-alive connection. Prints a TSV
row per transition: label, count, p50 ms, p99 ms, max ms. Standard library only.

    python3 redfish-reset.py LABEL URL SYSTEM_PATH CYCLES [HEADER: VALUE] [CA_FILE]
"""
import http.client
import json
import ssl
import sys
import time
import urllib.parse


def main():
    label, url, path, cycles = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    headers = {"Content-Type": "application/json"}
    if len(sys.argv) > 5 and sys.argv[5]:
        name, value = sys.argv[5].split(": ", 1)
        headers[name] = value
    target = urllib.parse.urlsplit(url)
    if target.scheme == "https":
        context = ssl.create_default_context(cafile=sys.argv[6])
        connection = http.client.HTTPSConnection(target.hostname, target.port, context=context, timeout=120)
    else:
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=120)

    def request(method, resource, body=None):
        connection.request(method, resource, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        if response.status >= 400:
            raise RuntimeError("%s %s: %d %s" % (method, resource, response.status, data[:300]))
        return json.loads(data) if data else {}

    def power_state():
        return request("GET", path).get("PowerState")

    reset = request("GET", path)["Actions"]["#ComputerSystem.Reset"]["target"]
    timings = {"ForceOff": [], "On": []}
    deadline_seconds = 120
    for _ in range(cycles):
        for reset_type, wanted in (("ForceOff", "Off"), ("On", "On")):
            started = time.monotonic()
            request("POST", reset, {"ResetType": reset_type})
            while power_state() != wanted:
                if time.monotonic() - started > deadline_seconds:
                    raise RuntimeError("%s did not read %s within %d s" % (reset_type, wanted, deadline_seconds))
            timings[reset_type].append((time.monotonic() - started) * 1000)
    for reset_type, values in timings.items():
        values.sort()
        p50 = values[len(values) // 2]
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print("%s-%s\t%d\t%.2f\t%.2f\t%.2f" % (label, reset_type, len(values), p50, p99, values[-1]))


if __name__ == "__main__":
    main()
