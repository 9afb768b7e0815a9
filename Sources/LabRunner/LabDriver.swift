import Foundation
import Autopilot
import BootEndpoint
import DeviceProtocol
import LabController
import LabTopology

/// The controller's side of each device's OOBE during a run: the user's answers to the pages
/// the profile does not hide, the sign-in, the technician's Provision and Reseal, and the
/// buttons on an ESP error (none by default: the device stays on the error, as a user who walked
/// away would leave it).
struct LabDriver: DeviceDriver {
    let lab: Lab
    let devices: [String: LabDevice]
    /// Buttons to press on ESP error screens, by device (set by scenario steps).
    let espButtons: @Sendable (String) -> String?
    /// Presses key chords on a device's keyboard (real VMs, through libvirt).
    let keyboard: @Sendable (String, [KeyChord]) async -> Void
    /// Told when a device at its desktop asks for work and none is queued.
    let idle: @Sendable (String) -> Void
    /// The repair a technician starts at a broken device's recovery screen (set while a recovery
    /// is in progress).
    let repair: @Sendable (String) -> NextAction?

    init(lab: Lab, espButtons: @escaping @Sendable (String) -> String? = { _ in nil },
         keyboard: @escaping @Sendable (String, [KeyChord]) async -> Void = { _, _ in },
         idle: @escaping @Sendable (String) -> Void = { _ in },
         repair: @escaping @Sendable (String) -> NextAction? = { _ in nil }) {
        self.lab = lab
        self.devices = Dictionary(uniqueKeysWithValues: lab.topology.devices.map { ($0.name, $0) })
        self.espButtons = espButtons
        self.keyboard = keyboard
        self.idle = idle
        self.repair = repair
    }

    func nextAction(for name: String, at request: NextActionRequest) async -> NextAction {
        guard let device = devices[name] else { return .proceed }
        let user = lab.topology.user
        switch (request.phase, request.step) {
        case (.oobePages, "page:language"): return .input(page: "language", values: ["language": user.language])
        case (.oobePages, "page:region"): return .input(page: "region", values: ["region": user.region])
        case (.oobePages, "page:keyboard"): return .input(page: "keyboard", values: ["keyboard": user.keyboard])
        case (.oobePages, "page:eula"): return .input(page: "eula", values: ["accept": "yes"])
        case (.oobePages, "page:privacy"): return .input(page: "privacy", values: ["diagnostics": "required"])
        case (.oobePages, "sign-in"):
            let upn = device.assignedUser ?? "\(device.name.lowercased())@\(lab.autopilot.tenant.domain)"
            return .input(page: "sign-in", values: ["upn": upn])
        case (.technician, "start"):
            guard technicianProvisions(device) else { return .proceed }
            // Five presses of the Windows key at the first screen (a real VM gets them through libvirt).
            await keyboard(name, Array(repeating: .windows, count: 5))
            return .provision
        case (.technician, "reseal"):
            return .reseal
        case (.desktop, "idle"):
            idle(name)
            return .proceed
        case (.boot, "recovery"):
            return repair(name) ?? .proceed
        case (_, "esp-error"):
            return (espButtons(name) ?? device.onESPError).map { .input(page: "esp-error", values: ["button": $0]) } ?? .proceed
        default:
            return .proceed
        }
    }

    /// A technician pre-provisions a device when the lab file says so, or by default when the
    /// device's profile allows pre-provisioning.
    private func technicianProvisions(_ device: LabDevice) -> Bool {
        if let explicit = device.preProvision { return explicit }
        guard let registration = try? lab.store.registeredDevices(serial: device.identity.serial)
            .first(where: { $0.tenantID == lab.autopilot.tenant.id }) else { return false }
        return AssignmentResolver(configuration: lab.autopilot.configuration).profile(for: registration)?.enableWhiteGlove ?? false
    }
}
