import Foundation
import DeviceProtocol
import LabStore
public import LabFiles

extension Fleet {
    /// Autopilot Reset: local (Ctrl+Win+R at the lock screen, then a local administrator
    /// sign-in) or remote (the MDM action, queued for the device).
    public func reset(_ key: String, remote: Bool) async throws -> FlowResult {
        try await flow(.reset, key) { device in
            if remote {
                try await self.queue(.reset(remote: true), for: device)
            } else {
                try await self.runtime.startLocalReset(device)
            }
        }
    }

    /// Repurpose: a wipe, optionally a new group tag or user (so that assignment may pick
    /// another profile), then the whole Autopilot flow again.
    public func repurpose(_ key: String, wipe: WipeKind, update: AutopilotService.RegistrationUpdate = .init())
        async throws -> FlowResult {
        try await flow(.repurpose, key) { device in
            let autopilot = self.lab.autopilot
            _ = try await Offload.run { try autopilot.update(serial: device.identity.serial, update) }
            try await self.queue(wipe.action, for: device)
        }
    }

    /// Retire: unenroll and remove company data on the device, then delete its Autopilot
    /// registration (a deregistered device gets 807 until it is registered again).
    public func retire(_ key: String) async throws -> FlowResult {
        var result = try await flow(.retire, key) { device in try await self.queue(.retire, for: device) }
        let serial = try lab.device(key).identity.serial
        let autopilot = lab.autopilot
        if try await Offload.run({ try autopilot.deregister(serial: serial) }) { result.removed.insert(.registration) }
        return result
    }

    /// Breaks a device on purpose: it damages its own system at its desktop, then reboots into
    /// the damage; or its ESP hangs (a fault), and a wipe makes the ESP run again.
    public func breakDevice(_ key: String, how: BreakKind) async throws {
        let device = try lab.device(key)
        if let damage = how.damage {
            try await queue(.damage(damage), for: device)
        } else {
            let lab = lab
            _ = try await Offload.run { try lab.inject(Fault(id: "stuck-esp", kind: .hang, phase: .espDeviceSetup), into: device.name) }
            try await queue(WipeKind.full.action, for: device)
        }
    }

    /// Recovery (break/fix): boots the device to see whether it reaches its desktop. A device
    /// whose system is broken shows its error and then its recovery screen, where the technician
    /// starts the chosen repair at once (an Autopilot Reset from WinRE, or a reimage over PXE), and
    /// the device goes on through the repair and the reboot after it to business-ready. A device
    /// that still is not business-ready then (a boot loop, an error, the ESP timing out, a repair
    /// the recovery screen could not do) gets the repair again on its next boot, queued, or is
    /// reverted to the snapshot; the result covers both parts.
    public func recover(_ key: String, method: RecoveryMethod) async throws -> FlowResult {
        let device = try lab.device(key)
        let repair: NextAction? = switch method {
        case .autopilotReset: .reset(remote: false)
        // Reimaging over PXE writes a fresh system over the disk: the device starts OOBE again.
        case .reimage: WipeKind.full.action
        case .snapshot: nil
        }
        let diagnosis: FlowResult
        do {
            defer { setRepair(nil, for: device.name) }
            diagnosis = try await flow(.recover, device.name, plan: .init(repairAtRecovery: repair != nil)) { _ in
                self.setRepair(repair, for: device.name)
            }
        }
        guard diagnosis.result != .businessReady else { return diagnosis }
        let lab = lab
        _ = try await Offload.run { try lab.store.clearFaults(of: device.name) }
        let repaired = try await flow(.recover, device.name) { _ in
            switch method {
            case .snapshot(let name): try await self.revert(device.name, to: name)
            case .autopilotReset, .reimage: if let repair { try await self.queue(repair, for: device) }
            }
        }
        return repaired.following(diagnosis)
    }

    /// Powers a device on, off or reboots it, and follows it to its end state.
    public func power(_ key: String, _ action: PowerAction) async throws -> FlowResult {
        let flow: Flow = switch action {
        case .on: .powerOn
        case .off: .powerOff
        case .reboot: .reboot
        }
        return try await self.flow(flow, key) { device in
            if action == .off { try await self.runtime.powerOff(device) }
        }
    }

    // MARK: Snapshots

    /// Takes a named snapshot of a device: its domain's (libvirt) and its disk's, with its lifecycle.
    public func snapshot(_ key: String, as name: String) async throws {
        let device = try lab.device(key)
        let lab = lab
        let lifecycle = try await Offload.run { try lab.store.device(named: device.name)?.lifecycle ?? .factory }
        try await runtime.takeSnapshot(of: device, named: name, lifecycle: lifecycle)
    }

    /// Reverts a device to a named snapshot.
    public func revert(_ key: String, to name: String) async throws {
        let device = try lab.device(key)
        let lifecycle = try await runtime.revert(device, toSnapshot: name)
        let lab = lab
        try await Offload.run { try lab.store.setLifecycle(lifecycle, of: device.name, at: lab.clock()) }
    }

    // MARK: Running a flow

    /// Queues an action for the device's next question to the endpoint.
    private func queue(_ action: NextAction, for device: LabDevice) async throws {
        let lab = lab
        try await Offload.run { try lab.store.enqueue(action, for: device.name, at: lab.clock()) }
    }

    /// Prepares a flow, powers the device on, lets it run to its end state, and describes what
    /// changed on the device from what it reported.
    private func flow(_ kind: Flow, _ key: String, plan: DeviceRun.Plan = .init(),
                      prepare: (LabDevice) async throws -> Void) async throws -> FlowResult {
        let device = try lab.device(key)
        let store = lab.store
        let started = Date()
        let lastSeq = try await Offload.run { try store.device(named: device.name)?.lastSeq ?? 0 }
        try await prepare(device)
        let run = await runtime.run(device, plan)
        let (events, record) = try await Offload.run {
            (try store.events(of: device.name, after: lastSeq), try store.device(named: device.name))
        }
        var phases: [OOBEPhase] = []
        for event in events where phases.last != event.phase { phases.append(event.phase) }
        let failure = events.last { $0.status == .failed && ($0.step == ProtocolStep.outcome || $0.phase == .lifecycle) }
        // The device reports what the flow's action kept and removed on it.
        let action = events.last { $0.phase == .lifecycle && $0.status == .completed }
        let refusal = events.last { $0.phase == .lifecycle && $0.status == .failed }
        return FlowResult(device: device.name, flow: kind, result: Self.outcome(record?.lifecycle, run),
                          errorCode: failure?.errorCode.map(ErrorCode.init), message: failure?.message, phases: phases,
                          kept: Set(action?.kept ?? []), removed: Set(action?.removed ?? []),
                          seconds: Date().timeIntervalSince(started), boots: run.boots, refused: refusal != nil)
    }

    static func outcome(_ lifecycle: DeviceLifecycle?, _ run: DeviceRun) -> DeviceOutcome {
        switch run.end {
        case .bootLoop: .bootLoop
        // A system that cannot start does not change the lifecycle (it was deployed): the boot says it.
        case .failed: .failed
        case .businessReady, .poweredOff, .desktop, .notInLab: lifecycle.map(DeviceOutcome.init) ?? .unknown
        }
    }
}
