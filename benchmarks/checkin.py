"""Prints, as JSON, each lab device's check-in: the seconds from START until the admin API first
shows it booted (its boot count counts the boot loader's requests that carried its serial: iPXE's
script, GRUB's TFTP step). Polls every 0.1 s until COUNT devices have, or 600 s.

    python3 benchmarks/checkin.py RUN_STDERR ADMIN_TOKEN_FILE START COUNT
"""
import json, re, sys, time, urllib.request

log, token_file, start, count = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
seen, deadline = {}, time.time() + 600
while len(seen) < count and time.time() < deadline:
    time.sleep(0.1)
    try:
        port = re.search(r"127\.0\.0\.1:(\d+)", open(log).read()).group(1)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/devices",
                                         headers={"Authorization": "Bearer " + open(token_file).read().strip()})
        for device in json.load(urllib.request.urlopen(request, timeout=2)):
            if device["bootCount"] > 0: seen.setdefault(device["name"], time.time() - start)
    except Exception:
        pass
print(json.dumps(seen))
