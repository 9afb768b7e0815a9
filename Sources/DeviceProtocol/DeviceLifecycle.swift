/// Where a lab device is in its life, as the controller tracks it. It decides which boot script a
/// device gets, so a deployed device is never reinstalled by accident.
public enum DeviceLifecycle: String, Codable, Sendable, CaseIterable {
    /// Never deployed: the next boot starts OOBE.
    case factory
    /// Going through OOBE and the ESP.
    case provisioning
    /// Pre-provisioned by a technician and resealed: the next boot is the user phase.
    case resealed
    /// Business-ready.
    case deployed
    /// Deployment failed; the device shows the error and retries at its next boot.
    case failed
    /// Wiped: the next boot starts OOBE from scratch.
    case wiped
    /// Unenrolled, company data removed.
    case retired

    /// Which boot script the device gets.
    public var bootMode: BootMode {
        switch self {
        case .deployed, .retired: .desktop
        case .factory, .provisioning, .resealed, .failed, .wiped: .oobe
        }
    }

    /// The state after a device reports an event.
    ///
    /// Completing the desktop, a reseal, a wipe, a retire or a reset moves the device; the final
    /// `outcome` step failing marks it failed; any other event from a device that is not deployed
    /// or retired means it is provisioning (a failed device retrying, a resealed one in its user
    /// phase, a wiped one starting over).
    public func after(_ event: DeviceEvent) -> DeviceLifecycle {
        switch (event.phase, event.step, event.status) {
        case (.desktop, _, .completed): return .deployed
        case (.technician, ProtocolStep.reseal, .completed): return .resealed
        case (.lifecycle, ProtocolStep.wipe, .completed): return .wiped
        case (.lifecycle, ProtocolStep.retire, .completed): return .retired
        case (.lifecycle, ProtocolStep.reset, .completed): return .provisioning
        case (_, ProtocolStep.outcome, .failed): return .failed
        default:
            switch self {
            case .deployed, .retired, .provisioning: return self
            case .factory, .resealed, .failed, .wiped: return .provisioning
            }
        }
    }
}

extension DeviceLifecycle {
    /// The error code a device in this state shows after an event: the failure's (or the one it
    /// showed) while failed, none otherwise.
    public func errorCode(after event: DeviceEvent, showing shown: UInt32?) -> UInt32? {
        self == .failed ? event.errorCode ?? shown : nil
    }
}

/// What the per-device boot script starts.
public enum BootMode: String, Codable, Sendable, CaseIterable {
    /// OOBE (first boot, after a wipe, or resuming).
    case oobe
    /// The installed system ("desktop"), without touching OOBE.
    case desktop
}
