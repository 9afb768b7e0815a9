#!/usr/bin/env bash
# Installs the real clients the tests drive the lab with, at their pinned versions, into a venv of
# their own: Microsoft's Graph SDKs for Python (Clients/graph/requirements.txt). Writes
# .build-clients/venv (ignored by git) and a stamp naming what it installed; does nothing when the
# stamp matches the requirements.
#   PYTHON   the Python that makes the venv (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.build-clients/venv
REQUIREMENTS=Clients/graph/requirements.txt
STAMP=$VENV/graph-sdk.installed

wanted=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$wanted" ]]; then
    exit 0
fi
echo "== installing the Graph SDKs for Python ($REQUIREMENTS) into $VENV"
rm -f "$STAMP"
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
echo "$wanted" > "$STAMP"
