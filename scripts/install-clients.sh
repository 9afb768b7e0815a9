#!/usr/bin/env bash
# Installs the real clients the tests drive the lab with, at their pinned versions, each set into
# a venv of its own (their dependencies stay apart): Microsoft's Graph SDKs for Python
# (Clients/graph/requirements.txt, into .build-clients/venv) and the Redfish clients, DMTF's
# validators and sushy (Clients/redfish/requirements.txt, into .build-clients/redfish-venv).
# `install-clients.sh sushy-tools` installs instead what the Redfish benchmark compares with:
# sushy-tools (Clients/sushy-tools/requirements.txt, into .build-clients/sushy-tools-venv), made
# by Debian's Python with its packages, for Debian's python3-libvirt.
# Each venv gets a stamp naming what it installed; a set whose stamp matches is left as it is.
#   PYTHON   the Python that makes the venvs (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

install() { # what venv requirements stamp [python venv-option...]
    local what=$1 venv=$2 requirements=$3 stamp=$2/$4 python=${5:-$PYTHON}
    local options=("${@:6}")
    local wanted
    wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        return 0
    fi
    echo "== installing $what ($requirements) into $venv"
    rm -f "$stamp"
    [[ -x "$venv/bin/python" ]] || "$python" -m venv "${options[@]}" "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$wanted" > "$stamp"
}

if [[ "${1:-}" == sushy-tools ]]; then
    scripts/install-packages.sh python3-libvirt python3-venv
    install "sushy-tools" .build-clients/sushy-tools-venv Clients/sushy-tools/requirements.txt sushy-tools.installed \
        /usr/bin/python3 --system-site-packages
    exit 0
fi
install "the Graph SDKs for Python" .build-clients/venv Clients/graph/requirements.txt graph-sdk.installed
install "DMTF's Redfish validators and sushy" .build-clients/redfish-venv Clients/redfish/requirements.txt redfish.installed
