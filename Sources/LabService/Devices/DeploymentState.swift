public import Autopilot
public import DeviceProtocol

/// Where a device stands in its Autopilot deployment, as a BMC's view of it shows (Redfish's
/// `Oem` section): its lifecycle, the OOBE phase of its latest event, its registration's
/// deployment mode, group tag and profile, and the error code it shows.
public struct DeploymentState: Sendable, Equatable {
    public var lifecycle: DeviceLifecycle
    public var phase: OOBEPhase?
    public var mode: AutopilotScenario?
    public var groupTag: String?
    public var profile: String?
    public var errorCode: ErrorCode?
    public var bootCount: Int
}

extension Lab {
    /// A device's deployment state, read from the store. It changes only with a commit to the
    /// store or a tenant change (``AutopilotService/revision``), so a view can keep it until then.
    public func deploymentState(of name: String) throws -> DeploymentState {
        guard let summary = try deviceSummaries(named: name).first else { throw LabError.noDevice(name, lab: labFile.lab) }
        let latest = try store.latestEvent(of: name)
        return DeploymentState(lifecycle: summary.lifecycle, phase: latest?.phase, mode: summary.registration?.mode,
                               groupTag: summary.registration?.groupTag, profile: summary.registration?.profile,
                               errorCode: summary.errorCode, bootCount: summary.bootCount)
    }
}
