"""sushy, the library OpenStack Ironic drives BMCs with, against a lab's Redfish service, as
Ironic's redfish hardware type uses it: a session login, the system's vendor, model, serial, BIOS
version, drive sizes (what inspection stores) and Secure Boot, power on, off and reboot (Ironic polls the power state
until it reads the new one), and a one-time PXE boot. Prints what sushy read as JSON; any failure is an
exception and a non-zero exit.

    PXELAB_REDFISH_URL=https://127.0.0.1:PORT PXELAB_REDFISH_PASSWORD=... PXELAB_REDFISH_CA=ca.pem \\
        python lab_sushy.py SYSTEM_ID
"""
import json
import os
import sys
import time

import sushy
from sushy import auth

POLL_SECONDS = 60  # Ironic's power state wait


def wait_for(system, state):
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        system.refresh()
        if system.power_state == state:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("power state %s, not %s, after %d s" % (system.power_state, state, POLL_SECONDS))
        time.sleep(0.2)


def main():
    system_id = sys.argv[1]
    root = sushy.Sushy(os.environ["PXELAB_REDFISH_URL"] + "/redfish/v1",
                       auth=auth.SessionAuth(username="admin", password=os.environ["PXELAB_REDFISH_PASSWORD"]),
                       verify=os.environ["PXELAB_REDFISH_CA"])
    members = [member.path for member in root.get_system_collection().get_members()]
    system = root.get_system("/redfish/v1/Systems/" + system_id)
    read = {
        "members": members,
        "sessions": len(root.get_session_service().sessions.get_members()),
        "manufacturer": system.manufacturer, "model": system.model, "serial": system.serial_number, "uuid": system.uuid,
        "biosVersion": system.bios_version, "driveBytes": system.storage.drives_sizes_bytes,
        "resetTypes": sorted(str(value.value) for value in system.get_allowed_reset_system_values()),
        # What Ironic's secure boot management reads before it changes anything.
        "secureBoot": [system.secure_boot.enabled, system.secure_boot.current_boot.value, system.secure_boot.mode.value],
    }
    system.reset_system(sushy.ResetType.ON)
    wait_for(system, sushy.PowerState.ON)
    system.reset_system(sushy.ResetType.FORCE_OFF)
    wait_for(system, sushy.PowerState.OFF)
    system.set_system_boot_options(sushy.BootSource.PXE, enabled=sushy.BootSourceOverrideEnabled.ONCE)
    system.refresh()
    read["bootBefore"] = [system.boot.target.value, system.boot.enabled.value]
    system.reset_system(sushy.ResetType.ON)
    wait_for(system, sushy.PowerState.ON)
    system.reset_system(sushy.ResetType.FORCE_RESTART)
    wait_for(system, sushy.PowerState.ON)
    system.refresh()
    read["bootAfter"] = [system.boot.target.value, system.boot.enabled.value]
    read["powerState"] = system.power_state.value
    print(json.dumps(read))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # reported on stdout, where the test reads
        print(json.dumps({"error": "%s: %s" % (type(error).__name__, error)}))
        sys.exit(1)
