import Foundation
import Autopilot
import DeviceProtocol
import LabController
import LabStore
import Libvirt
import LabTopology
import OOBEAgent

/// What a lifecycle flow did to a device.
public struct FlowResult: Sendable, Codable {
    public var device: String
    public var flow: String
    /// The device's state after the flow: `business-ready`, `failed`, `retired`, ...
    public var result: String
    public var errorCode: String?
    public var message: String?
    /// The phases the device went through, in order.
    public var phases: [String]
    /// What the device kept and what it lost (`wifi`, `certificates`, `provisioning-packages`,
    /// `join`, `enrollment`, `apps`, `user-files`, `primary-user`, `regional-settings`,
    /// `device-name`, `registration`).
    public var kept: [String]
    public var removed: [String]
    public var seconds: Double
    public var boots: Int
    /// The device refused the flow's action (a hybrid-joined device's reset, a local reset
    /// without the policy, no WinRE).
    public var refused: Bool

    /// This flow's result after an earlier part of the same flow: phases, boots and time of both.
    func following(_ earlier: FlowResult) -> FlowResult {
        var both = self
        both.phases = earlier.phases + phases.drop { $0 == earlier.phases.last }
        both.seconds += earlier.seconds
        both.boots += earlier.boots
        return both
    }
}

extension LabSession {
    /// Autopilot Reset: local (Ctrl+Win+R at the lock screen, then a local administrator
    /// sign-in) or remote (the MDM action, queued for the device). A real VM gets the keys on its
    /// keyboard through libvirt and its agent starts the reset; a virtual device, which has no
    /// keyboard, gets the same request through the endpoint.
    public func reset(_ name: String, remote: Bool) async throws -> FlowResult {
        try await flow("reset", name) { device in
            if !remote && !self.virtual {
                try await self.press([.autopilotReset], on: device.name)
            } else {
                try self.lab.store.enqueue(.reset(remote: remote), for: name, at: Date())
            }
        }
    }

    /// Repurpose: a wipe (full, keeping the enrollment, or keeping user data; Fresh Start
    /// removes apps with or without user data), optionally a new group tag or user, then the
    /// whole Autopilot flow again with the profile assignment picks.
    public func repurpose(_ name: String, wipe: String, groupTag: String?, assignedUser: String?) async throws -> FlowResult {
        try await flow("repurpose", name) { device in
            if groupTag != nil || assignedUser != nil {
                for var registration in try self.lab.store.registeredDevices(serial: device.identity.serial)
                where registration.tenantID == self.lab.autopilot.tenant.id {
                    if let groupTag {
                        if let problem = GroupTag.problem(groupTag) { throw RunError(problem) }
                        registration.groupTag = groupTag.isEmpty ? nil : groupTag
                    }
                    if let assignedUser { registration.assignedUser = assignedUser.isEmpty ? nil : assignedUser }
                    try self.lab.store.update(registration)
                }
            }
            let keepEnrollment = wipe == "keep-enrollment"
            let keepUserData = wipe == "keep-user-data" || wipe == "fresh-start-keep-user-data"
            try self.lab.store.enqueue(.wipe(keepEnrollment: keepEnrollment, keepUserData: keepUserData), for: name, at: Date())
        }
    }

    /// Retire: unenroll and remove company data on the device, then delete the Autopilot
    /// registration (a deregistered device gets 807 until it is registered again).
    public func retire(_ name: String) async throws -> FlowResult {
        var result = try await flow("retire", name) { _ in
            try self.lab.store.enqueue(.retire, for: name, at: Date())
        }
        let device = try device(name)
        if try lab.autopilot.deregister(serial: device.identity.serial) { result.removed.append("registration") }
        return result
    }

    /// Breaks a device on purpose: `corrupt-os`, `unbootable-disk`, `failed-update`,
    /// `lost-enrollment` (the device damages its own system at its desktop, then reboots into the
    /// damage) or `stuck-esp` (a hang in its ESP, then a wipe so the ESP runs again).
    public func breakDevice(_ name: String, how: String) async throws {
        let device = try device(name)
        switch how {
        case "corrupt-os", "unbootable-disk", "failed-update", "lost-enrollment":
            try lab.store.enqueue(.damage(how), for: device.name, at: Date())
        case "stuck-esp":
            try lab.store.addFault(Fault(id: "api-stuck-esp", kind: .hang, phase: .espDeviceSetup), to: device.name)
            try lab.store.enqueue(.wipe(keepEnrollment: false, keepUserData: false), for: device.name, at: Date())
        default:
            throw RunError("'\(how)' is not a way to break a device: corrupt-os, unbootable-disk, failed-update, lost-enrollment, stuck-esp")
        }
    }

    /// Recovery (break/fix): boots the device to see whether it reaches its desktop. A device
    /// whose system is broken shows its error and then its recovery screen, where the technician
    /// starts the chosen repair at once (`autopilot-reset` from WinRE, or `reimage` over PXE), and
    /// the device goes on through the repair and the reboot after it to business-ready. A device
    /// that still is not business-ready then (a boot loop, an error, the ESP timing out, a repair
    /// the recovery screen could not do) gets the repair again on its next boot, queued, or is
    /// reverted to `snapshot:<name>`; the result covers both parts.
    public func recover(_ name: String, method: String) async throws -> FlowResult {
        let device = try device(name)
        let repair: NextAction?
        switch method {
        case "autopilot-reset": repair = .reset(remote: false)
        // Reimaging over PXE writes a fresh system over the disk: the device starts OOBE again.
        case "reimage": repair = .wipe(keepEnrollment: false, keepUserData: false)
        case let snapshot where snapshot.hasPrefix("snapshot:"): repair = nil
        default: throw RunError("'\(method)' is not a recovery: autopilot-reset, reimage or snapshot:<name>")
        }
        let diagnosis: FlowResult
        do {
            defer { repairs.withLock { $0[device.name] = nil } }
            diagnosis = try await flow("recover", device.name) { _ in
                if let repair { self.repairs.withLock { $0[device.name] = repair } }
            }
        }
        guard diagnosis.result != "business-ready" else { return diagnosis }
        try lab.store.clearFaults(of: device.name)
        let repaired = try await flow("recover", device.name) { _ in
            if let repair {
                try self.lab.store.enqueue(repair, for: device.name, at: Date())
            } else {
                try await self.revert(device.name, to: String(method.dropFirst("snapshot:".count)))
            }
        }
        return repaired.following(diagnosis)
    }

    /// Powers a device on, off or reboots it.
    public func power(_ name: String, action: String) async throws -> FlowResult {
        try await flow("power-\(action)", name) { device in
            switch action {
            case "off": await self.power(device.name) { if try $0.isActive() { try $0.destroy() } }
            case "on", "reboot": break
            default: throw RunError("power takes on, off or reboot, not '\(action)'")
            }
        }
    }

    // MARK: Snapshots

    /// Takes a named snapshot: the domain's (libvirt) and the device's disk, with its lifecycle.
    public func snapshot(_ name: String, as label: String) async throws {
        let device = try device(name)
        let folder = lab.directory.path("snapshots/\(device.name)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let state = try storage(of: device.name).load() ?? DeviceState()
        let lifecycle = try lab.store.device(named: device.name)?.lifecycle ?? .factory
        try ProtocolJSON.encoder().encode(DeviceSnapshot(state: state, lifecycle: lifecycle))
            .write(to: folder.appendingPathComponent("\(label).json"), options: .atomic)
        _ = try await host.perform { connection in
            let domain = try connection.domain(named: device.name)
            if let existing = try? domain.snapshot(named: label) { try existing.delete() }
            _ = try domain.createSnapshot(xml: "<domainsnapshot><name>\(label)</name><description>pxelab: \(lifecycle.rawValue)</description></domainsnapshot>")
        }
    }

    /// Reverts a device to a named snapshot.
    public func revert(_ name: String, to label: String) async throws {
        let device = try device(name)
        let file = lab.directory.path("snapshots/\(device.name)/\(label).json")
        guard let data = try? Data(contentsOf: file) else {
            throw RunError("device \(device.name) has no snapshot '\(label)'")
        }
        let snapshot = try ProtocolJSON.decoder().decode(DeviceSnapshot.self, from: data)
        _ = try await host.perform { connection in
            let domain = try connection.domain(named: device.name)
            try domain.revert(to: try domain.snapshot(named: label), [.force])
        }
        try storage(of: device.name).save(snapshot.state)
        try lab.store.setLifecycle(snapshot.lifecycle, of: device.name, at: Date())
    }

    struct DeviceSnapshot: Codable {
        var state: DeviceState
        var lifecycle: DeviceLifecycle
    }

    // MARK: Running a flow

    /// Prepares a flow, powers the device on, lets it run to its end state, and describes what
    /// changed on the device.
    private func flow(_ name: String, _ deviceName: String,
                      prepare: (LabDevice) async throws -> Void) async throws -> FlowResult {
        let device = try device(deviceName)
        let started = Date()
        let before = try storage(of: device.name).load() ?? DeviceState()
        let lastSeq = try lab.store.device(named: device.name)?.lastSeq ?? 0
        try await prepare(device)
        let run = await boot(device)
        let after = try storage(of: device.name).load() ?? DeviceState()
        let events = try lab.store.events(of: device.name, after: lastSeq)
        var phases: [String] = []
        for event in events where phases.last != event.phase.rawValue { phases.append(event.phase.rawValue) }
        let record = try lab.store.device(named: device.name)
        let failure = events.last { $0.status == .failed && ($0.step == DeviceEvent.outcomeStep || $0.phase == .lifecycle) }
        _ = (before, after)
        // The device reports what the flow's action kept and removed on it.
        let action = events.last { $0.phase == .lifecycle && $0.status == .completed }
        let (kept, removed) = DeviceState.aspects(in: action?.message ?? "")
        let refusal = events.last { $0.phase == .lifecycle && $0.status == .failed }
        return FlowResult(device: device.name, flow: name, result: Self.result(record?.lifecycle, run),
                          errorCode: failure?.errorCode.map(ErrorCode.text), message: failure?.message,
                          phases: phases, kept: kept, removed: removed, seconds: Date().timeIntervalSince(started), boots: run.boots,
                          refused: refusal != nil)
    }

    static func result(_ lifecycle: DeviceLifecycle?, _ run: BootRun) -> String {
        if run.bootLoop { return "boot-loop" }
        // A system that cannot start does not change the lifecycle (it was deployed): the boot says it.
        if case .failed = run.outcome { return "failed" }
        switch lifecycle {
        case .deployed?: return "business-ready"
        case let other?: return other.rawValue
        case nil: return "unknown"
        }
    }
}
