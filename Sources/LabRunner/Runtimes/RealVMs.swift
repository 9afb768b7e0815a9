import Foundation
import DeviceProtocol
import LabController
import LabService
import LabStore
import LabFiles
import Libvirt
import Synchronization

/// Lab devices as real VMs: QEMU domains that network-boot from the endpoint and run the agent
/// inside their guest. The fleet powers them through libvirt and follows them through what they
/// report to the endpoint, what libvirt says about their power, and their asking for work at the
/// desktop; it presses keys on their keyboards where a person would, and shows their screens.
final class RealVMs: HostedDevices {
    let domains: LabDomains
    let maximumBoots: Int
    /// How long a VM may take to reach an end state, in seconds.
    let timeout: Double
    /// The VMs a run is waiting on.
    let watchers = RealVMWatchers()

    /// How long a VM that was already at its desktop is given to start acting on what it was
    /// just given (keys pressed, an action queued) before it counts as having nothing to do.
    static let settleSeconds = 6.0

    init(domains: LabDomains, maximumBoots: Int, timeout: Double) {
        self.domains = domains
        self.maximumBoots = maximumBoots
        self.timeout = timeout
    }

    /// Real VMs network-boot from http://ADDRESS:PORT/boot.ipxe (ADDRESS their host's boot
    /// address): they are defined with this port.
    func bringUp(endpointPort port: Int) async throws {
        try await domains.define(endpointPort: port, embedded: nil)
    }

    /// Powers the VM on (unless it runs; one on its error is restarted when the plan retries) and
    /// waits until it shows an end state: the desktop reached, a failure shown (a broken system's,
    /// unless a repair is coming at its recovery screen), a reseal (then, unless asked to stop
    /// there, powering it on again for the user once libvirt reports it stopped), the desktop or
    /// the error asking for work with none queued, or a boot loop.
    /// The run follows the domain: a VM powered off from outside fails where it was.
    func run(_ device: LabDevice, _ plan: DeviceRun.Plan) async -> DeviceRun {
        let name = device.name
        let store = domains.lab.store
        func failure(_ message: String, boots: Int = 0) -> DeviceRun {
            DeviceRun(end: .failed(phase: .boot, errorCode: nil, message: message), boots: boots)
        }
        let (signals, continuation) = AsyncStream.makeStream(of: RealVMSignal.self)
        var feeds: [Task<Void, Never>] = []
        defer {
            feeds.forEach { $0.cancel() }
            watchers.stop(name)
        }
        // Follow first, then look at the state, so that nothing falls between the two.
        let events = store.feed.subscribe(device: name)
        feeds.append(Task { for await event in events { continuation.yield(.event(event)) } })
        watchers.watch(name, continuation)
        let startSeq: Int
        let wasRunning: Bool
        let consolePath = domains.lab.directory.path("console/\(name).log").path
        var console = GuestConsole(path: consolePath)
        var starting = "power on"
        var restarted = false
        do {
            let power = try await domains.host(of: name).lifecycleEvents(of: name)
            feeds.append(Task {
                do {
                    for try await kind in power { continuation.yield(.power(kind)) }
                } catch {
                    continuation.yield(.lost(error))
                }
            })
            let record = try await Offload.run { try store.device(named: name) }
            startSeq = record?.lastSeq ?? 0
            wasRunning = try await domains.isActive(name)
            if !wasRunning {
                try await domains.powerOn(name)
            } else if plan.retryAfterFailure && record?.lifecycle == .failed {
                // A VM on its error tries again from a new boot: it is restarted, as its user would.
                starting = "restart"
                try await domains.domain(name) { try $0.reset() }
                restarted = true
            }
        } catch {
            return failure("cannot \(starting) \(name): \(error)")
        }
        feeds.append(Task {
            // Ends with the task (cancelled when the run ends).
            while (try? await Task.sleep(for: .seconds(1))) != nil { continuation.yield(.tick) }
        })
        let started = Date()
        var boots = 0
        // Whether the device has acted in this run: reported an event since it began. Until
        // then, asking for work is a VM that was already waiting (given a while to start on what
        // it was just given) or, from one this run started, a question sent before it did.
        var active = false
        let settles = wasRunning && !restarted
        var lastActivity = Date()
        /// Whether the VM runs, as libvirt says now: the stop it reported may be from before
        /// this run powered it on (an event can arrive after the call that caused it returned).
        func runsNow() async -> Bool {
            guard !wasRunning else { return false }
            return (try? await domains.host(of: name).perform { try $0.domain(named: name).isActive() }) == true
        }
        var resealsHandled = startSeq
        for await signal in signals {
            switch signal {
            case .event(let event) where event.seq > startSeq:
                active = true
                lastActivity = Date()
                switch (event.phase, event.step, event.status) {
                case (.boot, ProtocolStep.firmware, .completed):
                    boots += 1
                    if boots > maximumBoots { return DeviceRun(end: .bootLoop, boots: boots) }
                case (.desktop, ProtocolStep.ready, .completed):
                    return DeviceRun(end: .businessReady(deviceName: event.deviceName ?? ""), boots: boots)
                case (.boot, _, .failed):
                    // The system cannot start (a broken device): it shows the recovery screen and
                    // waits there for someone to fix it, unless a recovery in progress is about to
                    // (the device then carries on with the repair).
                    if plan.repairAtRecovery { break }
                    return DeviceRun(end: .failed(phase: .boot, errorCode: event.errorCode, message: event.message ?? ""), boots: boots)
                case (_, ProtocolStep.outcome, .failed):
                    return DeviceRun(end: .failed(phase: event.phase, errorCode: event.errorCode, message: event.message ?? ""),
                                     boots: boots)
                default:
                    break
                }
            case .event:
                break
            case .power(.crashed):
                if await runsNow() { break }
                return failure("\(name) crashed", boots: boots)
            case .power(.stopped(let detail)):
                if await runsNow() { break }
                // The guest powered itself off. Its events are all stored by now (the agent posts
                // them before it exits), so the store says why: a Reseal, or told to power off.
                let since = resealsHandled
                let reseal: StoredEvent?
                do {
                    reseal = try await Offload.run {
                        try store.events(of: name, after: since)
                            .last { $0.phase == .technician && $0.step == ProtocolStep.reseal && $0.status == .completed }
                    }
                } catch {
                    return failure("\(name) stopped, and the store cannot say why: \(error)", boots: boots)
                }
                guard let reseal else {
                    if detail == .shutdown { return DeviceRun(end: .poweredOff, boots: boots) }
                    let how = detail == .destroyed ? "powered off from outside (libvirt destroyed it)" : "stopped (\(detail))"
                    return await pulledPlug(name, how: how, boots: boots)
                }
                resealsHandled = reseal.seq
                if plan.stopAtReseal { return DeviceRun(end: .poweredOff, boots: boots) }
                do {
                    try await domains.powerOn(name)
                } catch {
                    return failure("cannot power \(name) on again after its reseal: \(error)", boots: boots)
                }
            case .power:
                break
            case .lost(let error as HostLost):
                // Its host is gone: the device fails where it was, and the run goes on with the others.
                return await pulledPlug(name, how: "cut off with its host (\(error))", boots: boots)
            case .lost(let error):
                return failure("lost libvirt's power events for \(name): \(error)", boots: boots)
            case .idle(let screen):
                // Asking for work with none queued: done, once this operation has seen the device
                // act (a keyboard chord or a queued action is being carried out otherwise), or
                // a while after it began on a device already waiting, given nothing to do.
                let queued: Bool
                do {
                    queued = try await Offload.run { try !store.pendingActions(for: name).isEmpty }
                } catch {
                    return failure("cannot read what is queued for \(name): \(error)", boots: boots)
                }
                guard !queued, active || (settles && Date().timeIntervalSince(lastActivity) > Self.settleSeconds) else { break }
                guard screen == .error else { return DeviceRun(end: .desktop, boots: boots) }
                // On the error its last attempt ended with, as the store has it.
                do {
                    let shown = try await Offload.run { try store.events(of: name).lastFailure }
                    return DeviceRun(end: .failed(phase: shown?.phase ?? .boot, errorCode: shown?.errorCode,
                                                  message: shown?.message ?? "\(name) shows an error"), boots: boots)
                } catch {
                    return failure("\(name) shows an error, and the store cannot say which: \(error)", boots: boots)
                }
            case .tick:
                switch console.stop() {
                case .panic(let line)?:
                    return failure("\(name)'s guest kernel panicked: \(line) (its console: \(consolePath))", boots: boots)
                case .refusedUnsigned(let line)?:
                    return failure("\(name)'s firmware refused to run unsigned code under Secure Boot: \(line) (its console: \(consolePath))",
                                   boots: boots)
                case nil: break
                }
                if Date().timeIntervalSince(started) > timeout {
                    return failure("\(name) reached no end state within \(Int(timeout)) s; its screen is in \(consolePath)",
                                   boots: boots)
                }
            }
        }
        return failure("stopped following \(name)", boots: boots)
    }

    /// Presses key chords through libvirt (`virDomainSendKey`, Linux key codes); the guest's
    /// agent reads them from its keyboard.
    func press(_ chords: [KeyChord], on device: LabDevice) async throws {
        for chord in chords {
            try await domains.domain(device.name) { try $0.sendKey(chord.keys.map(UInt32.init), holdTime: 80) }
        }
    }

    /// Ctrl+Win+R on the VM's keyboard: its agent starts the reset at the lock screen.
    func startLocalReset(_ device: LabDevice) async throws {
        try await press([.autopilotReset], on: device)
    }

    /// A real VM's state is its disk: a new, empty one.
    func eraseDisks(of devices: [LabDevice]) async throws {
        let disks = StateDisks(lab: domains.lab.labFile.lab, directory: domains.lab.directory)
        let byHost = try Dictionary(grouping: devices) { try domains.host(of: $0.name).uri }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for devices in byHost.values {  // each host's disks at once, the hosts side by side
                let host = try domains.host(of: devices[0].name), names = devices.map(\.name)
                group.addTask { try await host.perform { connection in try disks.recreate(for: names, on: connection) } }
            }
            try await group.waitForAll()
        }
    }

    func askedForWork(_ device: String, at screen: WaitingScreen) {
        watchers.idle(device, at: screen)
    }

    /// A daemon keeps its own domains: nothing to save.
    func close() async throws {}
}

/// What a run waiting on a real VM hears.
enum RealVMSignal: Sendable {
    /// The device reported an event.
    case event(StoredEvent)
    /// libvirt reported a power change.
    case power(DomainLifecycleEvent.Kind)
    /// libvirt's power events can no longer be followed.
    case lost(any Error)
    /// The device asked for work at its desktop or on its error, and got none.
    case idle(WaitingScreen)
    /// A second passed (for the deadline).
    case tick
}

/// The real VMs a run is waiting on, told when one asks for work at its desktop or on its error.
final class RealVMWatchers: Sendable {
    private let waiting = Mutex<[String: AsyncStream<RealVMSignal>.Continuation]>([:])

    func watch(_ name: String, _ continuation: AsyncStream<RealVMSignal>.Continuation) {
        waiting.withLock { $0[name] = continuation }
    }

    func stop(_ name: String) {
        waiting.withLock { $0.removeValue(forKey: name) }?.finish()
    }

    func idle(_ name: String, at screen: WaitingScreen) {
        _ = waiting.withLock { $0[name] }?.yield(.idle(screen))
    }
}
