"""Seconds from a run's start to each VM's first agent event and business-ready, read from the
run's JSON report (every VM must have become business-ready) and the lab's store. Prints the
last first event, the first business-ready and the last business-ready, tab-separated.

    python3 benchmarks/deploy-times.py REPORT.json STATE.sqlite START_EPOCH_SECONDS VMS
"""
import datetime
import json
import sqlite3
import sys

report, db, start, count = json.load(open(sys.argv[1])), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
ready = sum(1 for d in report["devices"] if d["result"] == "business-ready")
assert ready == count, f"only {ready} of {count} VMs became business-ready"


def seconds(text):
    return datetime.datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=datetime.timezone.utc).timestamp() - start


rows = sqlite3.connect(db).execute(
    "select device, min(receivedAt), max(case when phase='desktop' and step='ready' and status='completed' then receivedAt end)"
    " from deviceEvent group by device").fetchall()
first, done = [seconds(r[1]) for r in rows], [seconds(r[2]) for r in rows]
print(f"{max(first):.1f}\t{min(done):.1f}\t{max(done):.1f}")
