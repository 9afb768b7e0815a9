#!/usr/bin/env bash
# Fails when a target imports a module its Package.swift entry does not declare.
# SwiftPM's --explicit-target-dependency-import-check catches nothing on Linux, where a
# module builds as long as something else in the graph happened to build it first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Product modules come from the dependencies' own manifests, read from their checkouts.
[ -d .build/checkouts ] || swift package resolve >&2

# SwiftPM leaves an empty TemporaryDirectory.* and a lock file in $TMPDIR per invocation.
export TMPDIR=$(mktemp -d)
trap 'rm -rf "$TMPDIR"' EXIT

python3 - <<'PY'
import json, os, re, subprocess, sys

# Modules of the toolchain and the OS: they need (and can have) no declaration.
SYSTEM_MODULES = {
    "Swift", "_Concurrency", "_StringProcessing", "RegexBuilder", "Observation", "Distributed",
    "Synchronization", "Cxx", "CxxStdlib",
    "Foundation", "FoundationEssentials", "FoundationInternationalization",
    "FoundationNetworking", "FoundationXML", "CoreFoundation", "Dispatch",
    "Glibc", "Musl", "Android", "Darwin", "os", "WinSDK", "ucrt",
    "XCTest", "Testing",
}

# `import X`, `import X.Y`, `import struct X.Y`, after any attributes (@testable,
# @_exported, @preconcurrency, @_spi(S)) and access level (public, internal, ...).
IMPORT = re.compile(
    r"^\s*(?:(?:@\w+(?:\([^)]*\))?|public|package|internal|fileprivate|private)\s+)*"
    r"import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?(\w+)"
)

def dump(path="."):
    # A scratch path of its own (dump-package never creates it): no waiting on the lock of a
    # build running in .build, and no .build written into the checkouts it reads.
    out = subprocess.run(
        ["swift", "package", "--package-path", path, "--scratch-path", ".build/check-imports", "dump-package"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)

def imports(lines):
    """(line number, module) of each import, skipping comments and multi-line strings."""
    in_block = in_string = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if in_block:
            in_block = "*/" not in stripped
        elif stripped.startswith("//"):
            continue
        elif stripped.startswith("/*"):
            in_block = "*/" not in stripped
        elif stripped.count('"""') % 2:
            in_string = not in_string
        elif not in_string and (match := IMPORT.match(line)):
            yield number, match.group(1)

root = dump()

# A package's identity is the last component of its URL, lowercased and without .git;
# SwiftPM checks it out under that component with its case kept (GRDB.swift, Yams).
checkouts = {}
for dependency in root["dependencies"]:
    for entry in dependency.get("sourceControl", []):
        url = entry["location"]["remote"][0]["urlString"]
        folder = url.rstrip("/").split("/")[-1].removesuffix(".git")
        checkouts[entry["identity"]] = os.path.join(".build/checkouts", folder)

manifests = {}
def product_modules(product, package):
    """The targets a dependency package lists for the product: only those are declared."""
    identity = package.lower()
    if identity not in checkouts or not os.path.isdir(checkouts[identity]):
        sys.exit(f"check-imports: no checkout of package {package}; run `swift package resolve`")
    if identity not in manifests:
        manifests[identity] = dump(checkouts[identity])
    for entry in manifests[identity]["products"]:
        if entry["name"] == product:
            return set(entry["targets"])
    sys.exit(f"check-imports: package {package} has no product {product}")

local_targets = {target["name"] for target in root["targets"]}
checked = offenses = 0
for target in root["targets"]:
    if target["type"] not in ("regular", "executable", "test", "macro"):
        continue
    allowed = set(SYSTEM_MODULES)
    for dependency in target["dependencies"]:
        (kind, value), = dependency.items()
        if kind == "product":
            allowed |= product_modules(value[0], value[1])
        elif kind == "byName" and value[0] not in local_targets:
            # A bare name that is no target here names the product of the package of that name.
            allowed |= product_modules(value[0], value[0])
        else:
            allowed.add(value[0])

    folder = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", target["name"])
    excluded = tuple(os.path.join(folder, path) for path in target.get("exclude", []))
    checked += 1
    for directory, _, files in sorted(os.walk(folder)):
        for name in sorted(files):
            path = os.path.join(directory, name)
            if not name.endswith(".swift") or any(path == e or path.startswith(e + "/") for e in excluded):
                continue
            with open(path, encoding="utf-8") as source:
                for number, module in imports(source):
                    if module not in allowed:
                        print(f"{path}:{number}: target {target['name']} imports {module}, which it does not declare")
                        offenses += 1

if offenses:
    sys.exit(1)
print(f"imports: {checked} targets checked, all declared")
PY
