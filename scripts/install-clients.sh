#!/usr/bin/env bash
# Installs the real clients the tests drive the lab with, at their pinned versions, each set into
# a venv of its own (their dependencies stay apart): Microsoft's Graph SDKs for Python
# (Clients/graph/requirements.txt, into .build-clients/venv) and the Redfish clients, DMTF's
# validators and sushy (Clients/redfish/requirements.txt, into .build-clients/redfish-venv).
# Each venv gets a stamp naming what it installed; a set whose stamp matches is left as it is.
#   PYTHON   the Python that makes the venvs (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

install() { # what venv requirements stamp
    local what=$1 venv=$2 requirements=$3 stamp=$2/$4
    local wanted
    wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        return 0
    fi
    echo "== installing $what ($requirements) into $venv"
    rm -f "$stamp"
    [[ -x "$venv/bin/python" ]] || "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$wanted" > "$stamp"
}

install "the Graph SDKs for Python" .build-clients/venv Clients/graph/requirements.txt graph-sdk.installed
install "DMTF's Redfish validators and sushy" .build-clients/redfish-venv Clients/redfish/requirements.txt redfish.installed
