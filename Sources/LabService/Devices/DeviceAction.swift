import DeviceProtocol
public import LabFiles

/// What can be queued for a device, which carries it out when it next asks what to do (at its
/// desktop, on its error screen, at its next boot): what Intune's device actions and a person at
/// the device do.
public enum DeviceAction: Sendable, Equatable {
    /// Autopilot Reset: the MDM action (remote) or from the lock screen (local).
    case reset(remote: Bool)
    /// A wipe, keeping the enrollment (and join) or the user's data when asked.
    case wipe(keepEnrollment: Bool, keepUserData: Bool)
    /// A wipe after a new group tag, user or name, so that Autopilot runs again with them.
    case repurpose(AutopilotService.RegistrationUpdate, wipe: WipeKind)
    /// Unenroll and remove company data; the Autopilot registration is deleted at once.
    case retire
    case powerOff
    case reboot
    /// Pre-provisioning: the technician presses Provision.
    case provision
    /// Pre-provisioning: the technician presses Reseal.
    case reseal
}

extension Lab {
    /// Queues an action for a device; the service's side of it (a new group tag, the deleted
    /// registration) is done at once.
    public func queue(_ action: DeviceAction, for key: String) throws {
        let device = try device(key)
        let next: NextAction
        switch action {
        case .reset(let remote): next = .reset(remote: remote)
        case .wipe(let keepEnrollment, let keepUserData): next = .wipe(keepEnrollment: keepEnrollment, keepUserData: keepUserData)
        case .repurpose(let update, let wipe):
            try autopilot.update(serial: device.identity.serial, update)
            next = wipe.action
        case .retire:
            try autopilot.deregister(serial: device.identity.serial)
            next = .retire
        case .powerOff: next = .powerOff
        case .reboot: next = .reboot
        case .provision: next = .provision
        case .reseal: next = .reseal
        }
        try store.enqueue(next, for: device.name, at: clock())
    }
}
