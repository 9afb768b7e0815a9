public import DeviceProtocol
import Autopilot
import LabStore
import LabFiles

/// The people at the lab's devices during a run: the user's answers to the pages the profile
/// does not hide and the sign-in, the technician's Provision and Reseal, the buttons on an ESP
/// error (none by default: the device stays on the error, as a user who walked away would leave
/// it) and the repair at a recovery screen. The endpoint asks it what a device does next when
/// nothing is queued for the device.
public struct LabAttendant: DeviceAttendant {
    let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    public func nextAction(for name: String, at request: NextActionRequest) async throws -> NextAction {
        let lab = fleet.lab
        let device = try lab.device(name)
        let user = lab.labFile.user
        switch (request.phase, request.step) {
        case (.oobePages, ProtocolStep.page("language")): return .input(page: "language", values: ["language": user.language])
        case (.oobePages, ProtocolStep.page("region")): return .input(page: "region", values: ["region": user.region])
        case (.oobePages, ProtocolStep.page("keyboard")): return .input(page: "keyboard", values: ["keyboard": user.keyboard])
        case (.oobePages, ProtocolStep.page("eula")): return .input(page: "eula", values: ["accept": "yes"])
        case (.oobePages, ProtocolStep.page("privacy")): return .input(page: "privacy", values: ["diagnostics": "required"])
        case (.oobePages, ProtocolStep.signIn):
            let upn = device.assignedUser ?? "\(device.name.lowercased())@\(lab.autopilot.tenant.domain)"
            return .input(page: ProtocolStep.signIn, values: ["upn": upn])
        case (.technician, ProtocolStep.technicianStart):
            guard try await technicianProvisions(device) else { return .proceed }
            // Five presses of the Windows key at the first screen (a real VM gets them through libvirt).
            try await fleet.runtime.press(Array(repeating: .windows, count: 5), on: device)
            return .provision
        case (.technician, ProtocolStep.reseal):
            return .reseal
        case (.desktop, ProtocolStep.idle):
            fleet.runtime.askedForWork(name, at: .desktop)
            return .proceed
        case (.boot, ProtocolStep.errorScreen):
            fleet.runtime.askedForWork(name, at: .error)
            return .proceed
        case (.boot, ProtocolStep.recovery):
            return fleet.repair(for: name) ?? .proceed
        case (_, ProtocolStep.espError):
            return device.onESPError
                .map { .input(page: ProtocolStep.espError, values: [ESPButton.inputKey: $0.rawValue]) } ?? .proceed
        default:
            return .proceed
        }
    }

    /// A technician pre-provisions a device when the lab file says so, or by default when the
    /// device's profile allows pre-provisioning.
    private func technicianProvisions(_ device: LabDevice) async throws -> Bool {
        if let explicit = device.preProvision { return explicit }
        let autopilot = fleet.lab.autopilot
        guard let registration = try await Offload.run({ try autopilot.registration(serial: device.identity.serial) })
        else { return false }
        return AssignmentResolver(configuration: autopilot.configuration).profile(for: registration)?.enableWhiteGlove ?? false
    }
}

/// Decides what a device does next when nothing is queued for it: the people at the device (the
/// user's answers, the technician's buttons).
public protocol DeviceAttendant: Sendable {
    /// What the device does next; an error (the store, libvirt) makes the device ask again.
    func nextAction(for device: String, at request: NextActionRequest) async throws -> NextAction
}

/// Nobody at the devices: every device carries on.
public struct AbsentAttendant: DeviceAttendant {
    public init() {}
    public func nextAction(for device: String, at request: NextActionRequest) async throws -> NextAction { .proceed }
}
