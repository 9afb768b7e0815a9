#!/usr/bin/env bash
# Fails when ARCHITECTURE.md's module graph (the table between the `module graph` markers) is not
# the package's: every target and each dependency Package.swift declares. `--write` rewrites the
# table from the package instead.
set -euo pipefail
cd "$(dirname "$0")/.."
# SwiftPM leaves an empty TemporaryDirectory.* in $TMPDIR per invocation.
export TMPDIR=$(mktemp -d)
trap 'rm -rf "$TMPDIR"' EXIT
swift package --scratch-path .build/check-imports dump-package > "$TMPDIR/package.json"
python3 - "$TMPDIR/package.json" "$@" <<'PY'
import difflib, json, sys

def name(dependency):
    for kind in ("byName", "target"):
        if kind in dependency:
            return "`%s`" % dependency[kind][0]
    return "[%s]" % dependency["product"][0]

package = json.load(open(sys.argv[1]))
rows = ["| Module | Depends on |", "|---|---|"]
for target in package["targets"]:
    if target["type"] == "test" or target["name"] == "TestSupport":
        continue
    rows.append("| `%s` | %s |" % (target["name"], ", ".join(map(name, target.get("dependencies", []))) or "-"))
table = "\n".join(rows) + "\n"
begin, end = "<!-- module graph: begin -->\n", "<!-- module graph: end -->"
text = open("ARCHITECTURE.md").read()
head, rest = text.split(begin)
documented, tail = rest.split(end)
if sys.argv[2:] == ["--write"]:
    open("ARCHITECTURE.md", "w").write(head + begin + table + end + tail)
elif documented != table:
    print("ARCHITECTURE.md: its module graph is not Package.swift's (scripts/check-architecture.sh --write rewrites it):")
    sys.stdout.writelines(difflib.unified_diff(documented.splitlines(True), table.splitlines(True), "ARCHITECTURE.md", "Package.swift"))
    sys.exit(1)
PY
