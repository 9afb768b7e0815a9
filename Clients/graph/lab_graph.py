"""Drives a pxelab lab's Graph door with Microsoft's Graph SDKs for Python, as a QA pipeline
would: `python lab_graph.py STEP [ARGUMENTS...]` with PXELAB_GRAPH_BASE (http://127.0.0.1:PORT)
and PXELAB_GRAPH_TOKEN set. Prints what the SDK gave back as one JSON document, for the Swift
test to check; an SDK error is printed as {"error": {"status", "code"}}.
"""
import asyncio
import base64
import json
import os
import sys
from urllib.parse import urlparse

from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator, BaseBearerTokenAuthenticationProvider
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_core.tasks.page_iterator import PageIterator


class LabToken(AccessTokenProvider):
    """The lab's token, for the lab's host only."""

    def __init__(self, token, host):
        self.token = token
        self.validator = AllowedHostsValidator([host])

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self.token if self.validator.is_url_host_valid(uri) else ""

    def get_allowed_hosts_validator(self):
        return self.validator


def clients():
    """The beta and v1.0 service clients, pointed at the lab."""
    from msgraph import GraphRequestAdapter as V1Adapter, GraphServiceClient as V1Client
    from msgraph_beta import GraphRequestAdapter as BetaAdapter, GraphServiceClient as BetaClient

    base = os.environ["PXELAB_GRAPH_BASE"]
    auth = BaseBearerTokenAuthenticationProvider(LabToken(os.environ["PXELAB_GRAPH_TOKEN"], urlparse(base).hostname))
    beta_adapter = BetaAdapter(auth)
    beta_adapter.base_url = base + "/beta"  # before the client, which fills it only when empty
    v1_adapter = V1Adapter(auth)
    v1_adapter.base_url = base + "/v1.0"
    return BetaClient(request_adapter=beta_adapter), beta_adapter, V1Client(request_adapter=v1_adapter)


async def page(beta, adapter, v1, top=None):
    """Every identity, through the v1.0 SDK's page iterator. (The beta SDK reads the same pages
    about five times slower: its base entity's field table imports every model, per object.)"""
    from msgraph.generated.device_management.windows_autopilot_device_identities.windows_autopilot_device_identities_request_builder import (
        WindowsAutopilotDeviceIdentitiesRequestBuilder as Builder)
    configuration = RequestConfiguration(query_parameters=Builder.WindowsAutopilotDeviceIdentitiesRequestBuilderGetQueryParameters(
        top=int(top) if top else None))
    first = await v1.device_management.windows_autopilot_device_identities.get(request_configuration=configuration)
    ids, serials = [], []

    def collect(identity):
        ids.append(identity.id)
        serials.append(identity.serial_number)
        return True

    iterator = PageIterator(first, v1.request_adapter)
    await iterator.iterate(collect)
    return {"count": len(ids), "distinct": len(set(ids)), "firstSerials": sorted(serials)[:3],
            "odataCount": first.odata_count, "firstNextLink": first.odata_next_link}


async def filter_serial(beta, adapter, v1, text):
    from msgraph_beta.generated.device_management.windows_autopilot_device_identities.windows_autopilot_device_identities_request_builder import (
        WindowsAutopilotDeviceIdentitiesRequestBuilder as Builder)
    configuration = RequestConfiguration(query_parameters=Builder.WindowsAutopilotDeviceIdentitiesRequestBuilderGetQueryParameters(
        filter=f"contains(serialNumber,'{text}')"))
    result = await beta.device_management.windows_autopilot_device_identities.get(request_configuration=configuration)
    return {"serials": sorted(identity.serial_number for identity in result.value),
            "groupTags": sorted(identity.group_tag for identity in result.value),
            "statuses": sorted(str(identity.deployment_profile_assignment_status.value) for identity in result.value)}


async def import_one(beta, adapter, v1, serial, hash_base64, group_tag):
    """One hash uploaded as Add-AutopilotImportedDevice does, read back (the lab's import delay is
    0 s), and the registration it made, read through v1.0."""
    from msgraph_beta.generated.models.imported_windows_autopilot_device_identity import ImportedWindowsAutopilotDeviceIdentity
    from msgraph_beta.generated.models.imported_windows_autopilot_device_identity_state import ImportedWindowsAutopilotDeviceIdentityState
    body = ImportedWindowsAutopilotDeviceIdentity(
        serial_number=serial, group_tag=group_tag, product_key="", assigned_user_principal_name="",
        hardware_identifier=base64.b64decode(hash_base64), state=ImportedWindowsAutopilotDeviceIdentityState())
    created = await beta.device_management.imported_windows_autopilot_device_identities.post(body)
    read = await beta.device_management.imported_windows_autopilot_device_identities.by_imported_windows_autopilot_device_identity_id(created.id).get()
    registration = read.state.device_registration_id
    identity = None
    if registration:
        identity = await v1.device_management.windows_autopilot_device_identities.by_windows_autopilot_device_identity_id(registration).get()
    return {"createdStatus": str(created.state.device_import_status.value), "status": str(read.state.device_import_status.value),
            "errorCode": read.state.device_error_code, "errorName": read.state.device_error_name,
            "serial": identity.serial_number if identity else None, "groupTag": identity.group_tag if identity else None,
            "type": type(read).__name__}


async def import_bulk(beta, adapter, v1, *rows):
    """`SERIAL:HASH` rows through the v1.0 bulk import, then their states."""
    from msgraph.generated.device_management.imported_windows_autopilot_device_identities.import_.import_post_request_body import ImportPostRequestBody
    from msgraph.generated.models.imported_windows_autopilot_device_identity import ImportedWindowsAutopilotDeviceIdentity
    identities = [ImportedWindowsAutopilotDeviceIdentity(serial_number=row.split(":", 1)[0],
                                                         hardware_identifier=base64.b64decode(row.split(":", 1)[1]))
                  for row in rows]
    uploaded = await v1.device_management.imported_windows_autopilot_device_identities.import_.post(
        ImportPostRequestBody(imported_windows_autopilot_device_identities=identities))
    states = {}
    for identity in uploaded.value:
        read = await v1.device_management.imported_windows_autopilot_device_identities.by_imported_windows_autopilot_device_identity_id(identity.id).get()
        states[read.serial_number] = [str(read.state.device_import_status.value), read.state.device_error_code, read.state.device_error_name]
    return {"uploaded": len(uploaded.value), "states": states}


async def expand(beta, adapter, v1, identity_id):
    from msgraph_beta.generated.device_management.windows_autopilot_device_identities.item.windows_autopilot_device_identity_item_request_builder import (
        WindowsAutopilotDeviceIdentityItemRequestBuilder as Builder)
    configuration = RequestConfiguration(query_parameters=Builder.WindowsAutopilotDeviceIdentityItemRequestBuilderGetQueryParameters(
        expand=["deploymentProfile", "intendedDeploymentProfile"]))
    identity = await beta.device_management.windows_autopilot_device_identities.by_windows_autopilot_device_identity_id(identity_id).get(
        request_configuration=configuration)
    profile = identity.deployment_profile
    return {"profileType": type(profile).__name__ if profile else None, "profileName": profile.display_name if profile else None,
            "eulaHidden": profile.out_of_box_experience_setting.eula_hidden if profile else None}


async def profile(beta, adapter, v1, group_id, serial):
    """A profile created and assigned to a group through the beta SDK, then the statuses of the
    group's devices (by serial) and the profile's assigned devices."""
    from msgraph_beta.generated.models.group_assignment_target import GroupAssignmentTarget
    from msgraph_beta.generated.models.azure_a_d_windows_autopilot_deployment_profile import AzureADWindowsAutopilotDeploymentProfile
    from msgraph_beta.generated.models.out_of_box_experience_settings import OutOfBoxExperienceSettings
    from msgraph_beta.generated.models.windows_autopilot_deployment_profile_assignment import WindowsAutopilotDeploymentProfileAssignment
    from msgraph_beta.generated.device_management.windows_autopilot_device_identities.windows_autopilot_device_identities_request_builder import (
        WindowsAutopilotDeviceIdentitiesRequestBuilder as Builder)
    profiles = beta.device_management.windows_autopilot_deployment_profiles
    created = await profiles.post(AzureADWindowsAutopilotDeploymentProfile(
        display_name="SDK profile", device_name_template="SDK-%RAND:5%", language="os-default",
        out_of_box_experience_settings=OutOfBoxExperienceSettings(hide_e_u_l_a=True, hide_privacy_settings=True)))
    assignment = await profiles.by_windows_autopilot_deployment_profile_id(created.id).assignments.post(
        WindowsAutopilotDeploymentProfileAssignment(target=GroupAssignmentTarget(group_id=group_id)))
    configuration = RequestConfiguration(query_parameters=Builder.WindowsAutopilotDeviceIdentitiesRequestBuilderGetQueryParameters(
        filter=f"contains(serialNumber,'{serial}')"))
    identities = await beta.device_management.windows_autopilot_device_identities.get(request_configuration=configuration)
    assigned = await profiles.by_windows_autopilot_deployment_profile_id(created.id).assigned_devices.get()
    return {"type": type(created).__name__, "template": created.device_name_template, "assignmentId": assignment.id,
            "profileId": created.id, "statuses": [str(identity.deployment_profile_assignment_status.value) for identity in identities.value],
            "assignedDevices": len(assigned.value)}


async def wipe(beta, adapter, v1, serial):
    """A remote wipe keeping enrollment data and user data (an Autopilot Reset) through v1.0's
    managedDevices, the device found by serial as get-windowsautopilotinfo finds it."""
    from msgraph.generated.device_management.managed_devices.item.wipe.wipe_post_request_body import WipePostRequestBody
    from msgraph.generated.device_management.managed_devices.managed_devices_request_builder import ManagedDevicesRequestBuilder as Builder
    configuration = RequestConfiguration(query_parameters=Builder.ManagedDevicesRequestBuilderGetQueryParameters(
        filter=f"serialNumber eq '{serial}'"))
    devices = await v1.device_management.managed_devices.get(request_configuration=configuration)
    device = devices.value[0]
    await v1.device_management.managed_devices.by_managed_device_id(device.id).wipe.post(
        WipePostRequestBody(keep_enrollment_data=True, keep_user_data=True))
    return {"id": device.id, "deviceName": device.device_name, "serial": device.serial_number}


async def events(beta, adapter, v1, serial):
    """The deployment report's rows of one device (beta's autopilotEvents), as Intune's report
    scripts read them: every field through the SDK's parsers (durations, dates, enums)."""
    from msgraph_beta.generated.device_management.autopilot_events.autopilot_events_request_builder import AutopilotEventsRequestBuilder as Builder
    configuration = RequestConfiguration(query_parameters=Builder.AutopilotEventsRequestBuilderGetQueryParameters(
        filter=f"deviceSerialNumber eq '{serial}'"))
    rows = await beta.device_management.autopilot_events.get(request_configuration=configuration)
    return {"rows": [{"state": str(row.deployment_state.value), "deviceName": row.managed_device_name,
                      "profile": row.windows_autopilot_deployment_profile_display_name,
                      "enrollmentType": str(row.enrollment_type.value),
                      "seconds": row.deployment_duration.total_seconds(),
                      "ended": row.deployment_end_date_time.isoformat(),
                      "failure": row.enrollment_failure_details} for row in rows.value]}


async def missing(beta, adapter, v1, identity_id):
    await beta.device_management.windows_autopilot_device_identities.by_windows_autopilot_device_identity_id(identity_id).get()
    return {}


STEPS = {"page": page, "filter": filter_serial, "import": import_one, "bulk": import_bulk, "expand": expand, "profile": profile, "wipe": wipe,
         "events": events, "missing": missing}


async def main():
    from kiota_abstractions.api_error import APIError
    step, arguments = sys.argv[1], sys.argv[2:]
    beta, adapter, v1 = clients()
    try:
        result = await STEPS[step](beta, adapter, v1, *arguments)
    except APIError as error:
        code = getattr(getattr(error, "error", None), "code", None)
        result = {"error": {"status": error.response_status_code, "code": code}}
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
