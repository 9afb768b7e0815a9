import Foundation
import DeviceProtocol
import LabStore
public import LabFiles

extension Fleet {
    /// Deploys one device: powers it on and drives it to its end state.
    public func deploy(_ key: String) async throws -> FlowResult {
        let device = try lab.device(key)
        return try await occupying([device]) {
            try await flow(.deploy, device, plan: Self.plan(deploying: device)) { _ in }
        }
    }

    /// Autopilot Reset: local (Ctrl+Win+R at the lock screen, then a local administrator
    /// sign-in) or remote (the MDM action, queued for the device).
    public func reset(_ key: String, remote: Bool) async throws -> FlowResult {
        try await flow(.reset, key) { device in
            if remote {
                try await self.queue(DeviceAction.reset(remote: true), for: device)
            } else {
                try await self.runtime.startLocalReset(device)
            }
        }
    }

    /// Repurpose: a wipe, optionally a new group tag or user (so that assignment may pick
    /// another profile), then the whole Autopilot flow again.
    public func repurpose(_ key: String, wipe: WipeKind, update: AutopilotService.RegistrationUpdate = .init())
        async throws -> FlowResult {
        try await flow(.repurpose, key) { device in try await self.queue(.repurpose(update, wipe: wipe), for: device) }
    }

    /// Retire: unenroll and remove company data on the device, and delete its Autopilot
    /// registration (a deregistered device gets 807 until it is registered again).
    public func retire(_ key: String) async throws -> FlowResult {
        let autopilot = lab.autopilot
        let serial = try lab.device(key).identity.serial
        let registered = try await Offload.run { try autopilot.registration(serial: serial) != nil }
        var result = try await flow(.retire, key) { device in try await self.queue(DeviceAction.retire, for: device) }
        if registered { result.removed.insert(.registration) }
        return result
    }

    /// Breaks a device on purpose: it damages its own system at its desktop, then reboots into
    /// the damage; or its ESP hangs (a fault), and a wipe makes the ESP run again. The device
    /// carries it out at its next boot.
    public func breakDevice(_ key: String, how: BreakKind) async throws {
        let device = try lab.device(key)
        try await occupying([device]) {
            if let damage = how.damage {
                try await queueNext(.damage(damage), for: device)
            } else {
                let lab = lab
                _ = try await Offload.run { try lab.inject(Fault(id: "stuck-esp", kind: .hang, phase: .espDeviceSetup), into: device.name) }
                try await queueNext(WipeKind.full.action, for: device)
            }
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
        return try await occupying([device]) {
            let diagnosis: FlowResult
            do {
                defer { setRepair(nil, for: device.name) }
                diagnosis = try await flow(.recover, device, plan: .init(repairAtRecovery: repair != nil, retryAfterFailure: true)) { _ in
                    self.setRepair(repair, for: device.name)
                }
            }
            guard diagnosis.result != .businessReady else { return diagnosis }
            let lab = lab
            _ = try await Offload.run { try lab.store.clearFaults(of: device.name) }
            let repaired = try await flow(.recover, device) { _ in
                switch method {
                case .snapshot(let name): try await self.revertToSnapshot(device, name)
                case .autopilotReset, .reimage: if let repair { try await self.queueNext(repair, for: device) }
                }
            }
            return repaired.following(diagnosis)
        }
    }

    /// Whether a device is powered on.
    public func isPoweredOn(_ key: String) async throws -> Bool {
        try await runtime.isRunning(lab.device(key))
    }

    /// Whether a device is powered on, when that is known at once (``DeviceRuntime/keptPowerState(of:)``).
    public func keptPowerState(of device: LabDevice) -> Bool? {
        runtime.keptPowerState(of: device)
    }

    /// Powers a device on (following it to its end state), reboots it (the same, from a restart),
    /// or powers it off (and leaves it off).
    public func power(_ key: String, _ action: PowerAction) async throws -> FlowResult {
        switch action {
        case .on: return try await flow(.powerOn, key) { _ in }
        // A running device is powered off first, so that it really starts again (a real VM at
        // its desktop would otherwise go on running); a device that is off just starts.
        case .reboot: return try await flow(.reboot, key) { device in
            if try await runtime.isRunning(device) { try await runtime.powerOff(device) }
        }
        case .off:
            let device = try lab.device(key)
            func powerOff() async throws -> FlowResult {
                let started = Date()
                try await runtime.powerOff(device)
                let lab = lab
                let outcome = try await Offload.run { try lab.outcome(of: device.name) }
                return FlowResult(device: device.name, flow: .powerOff, result: outcome, seconds: Date().timeIntervalSince(started))
            }
            // Pulling the plug under a flow that follows the device ends that flow (the device
            // fails where it was); otherwise the power-off is an operation like any other.
            if cutFlow(of: device.name) { return try await powerOff() }
            return try await occupying([device]) { try await powerOff() }
        }
    }

    // MARK: Snapshots

    /// Takes a named snapshot of a device: its domain's (libvirt) and its disk's, with where it
    /// stands in its life.
    public func snapshot(_ key: String, as name: String) async throws {
        let device = try lab.device(key)
        try await occupying([device]) {
            let store = lab.store
            let record = try await Offload.run { try store.device(named: device.name) }
            try await runtime.takeSnapshot(of: device, named: name,
                                           standing: .init(lifecycle: record?.lifecycle ?? .factory, errorCode: record?.errorCode))
        }
    }

    /// Reverts a device to a named snapshot.
    public func revert(_ key: String, to name: String) async throws {
        let device = try lab.device(key)
        try await occupying([device]) { try await revertToSnapshot(device, name) }
    }

    private func revertToSnapshot(_ device: LabDevice, _ name: String) async throws {
        let standing = try await runtime.revert(device, toSnapshot: name)
        let lab = lab
        try await Offload.run {
            try lab.store.setLifecycle(standing.lifecycle, of: device.name, errorCode: standing.errorCode, at: lab.clock())
        }
    }

    // MARK: Running a flow

    /// Queues an action for the device's next question to the endpoint.
    private func queue(_ action: DeviceAction, for device: LabDevice) async throws {
        let lab = lab
        try await Offload.run { try lab.queue(action, for: device.name) }
    }

    private func queueNext(_ action: NextAction, for device: LabDevice) async throws {
        let lab = lab
        try await Offload.run { try lab.store.enqueue(action, for: device.name, at: lab.clock()) }
    }

    /// A flow as the only operation on its device.
    private func flow(_ kind: Flow, _ key: String, prepare: (LabDevice) async throws -> Void) async throws -> FlowResult {
        let device = try lab.device(key)
        return try await occupying([device]) { try await flow(kind, device, prepare: prepare) }
    }

    /// Prepares a flow, powers the device on, lets it run to its end state, and describes what
    /// changed on the device from what it reported.
    private func flow(_ kind: Flow, _ device: LabDevice, plan: DeviceRun.Plan = .init(),
                      prepare: (LabDevice) async throws -> Void) async throws -> FlowResult {
        let store = lab.store
        let started = Date()
        let lastSeq = try await Offload.run { try store.device(named: device.name)?.lastSeq ?? 0 }
        try await prepare(device)
        let run = await run(device, plan)
        let (events, record) = try await Offload.run {
            (try store.events(of: device.name, after: lastSeq), try store.device(named: device.name))
        }
        var phases: [OOBEPhase] = []
        for event in events where phases.last != event.phase { phases.append(event.phase) }
        let failure = events.last { $0.status == .failed && ($0.step == ProtocolStep.outcome || $0.phase == .lifecycle) }
        // The device reports what the flow's action kept and removed on it.
        let action = events.last { $0.phase == .lifecycle && $0.status == .completed }
        let refusal = events.last { $0.phase == .lifecycle && $0.status == .failed }
        // A run that failed says why, also when the device could not report it (its host went
        // away, it was powered off from outside).
        var (errorCode, message) = (failure?.errorCode, failure?.message)
        if case .failed(_, let code, let reason) = run.end { (errorCode, message) = (code ?? errorCode, reason) }
        return FlowResult(device: device.name, flow: kind, result: Self.outcome(record?.lifecycle, run),
                          errorCode: errorCode.map(ErrorCode.init), message: message, phases: phases,
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
