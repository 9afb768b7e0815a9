import Foundation
import DeviceProtocol
import LabStore
import LabTopology
import Libvirt
import OOBEAgent

/// Real VMs run their agent inside the guest: the session powers them through libvirt and
/// follows them through what they report to the endpoint, what libvirt says about their power,
/// and their asking for work at the desktop.
extension LabSession {
    /// Powers the VM on (unless it runs) and waits until it shows an end state: the desktop
    /// reached, a failure shown, a reseal (then, unless asked to stop there, powering it on again
    /// for the user once libvirt reports it stopped), the desktop asking for work with none
    /// queued, or a boot loop.
    func bootRealVM(_ device: LabDevice, stopAtReseal: Bool) async -> BootRun {
        let name = device.name
        let timeout = options.realDeviceTimeout
        func failure(_ message: String) -> BootRun {
            BootRun(outcome: .failed(phase: .boot, errorCode: nil, message: message), boots: 0, bootLoop: false)
        }
        let (signals, continuation) = AsyncStream.makeStream(of: RealVMSignal.self)
        var feeds: [Task<Void, Never>] = []
        defer {
            feeds.forEach { $0.cancel() }
            watchers.stop(name)
        }
        // Follow first, then look at the state, so that nothing falls between the two.
        let events = lab.store.feed.subscribe(device: name)
        feeds.append(Task { for await event in events { continuation.yield(.event(event)) } })
        watchers.watch(name, continuation)
        let startSeq: Int
        let wasRunning: Bool
        do {
            let power = try await host.lifecycleEvents(of: name)
            feeds.append(Task { for await kind in power { continuation.yield(.power(kind)) } })
            startSeq = try lab.store.device(named: name)?.lastSeq ?? 0
            wasRunning = try await host.perform { try $0.domain(named: name).isActive() }
            if !wasRunning { try await host.perform { try $0.domain(named: name).start() } }
        } catch {
            return failure("cannot power on \(name): \(error)")
        }
        feeds.append(Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                continuation.yield(.tick)
            }
        })
        let started = Date()
        var boots = 0
        var active = !wasRunning
        var lastActivity = Date()
        var resealsHandled = startSeq
        for await signal in signals {
            switch signal {
            case .event(let event) where event.seq > startSeq:
                active = true
                lastActivity = Date()
                switch (event.phase, event.step, event.status) {
                case (.boot, "firmware", .completed):
                    boots += 1
                    if boots > options.maximumBoots { return BootRun(outcome: .reboot, boots: boots, bootLoop: true) }
                case (.desktop, "ready", .completed):
                    return BootRun(outcome: .businessReady(deviceName: event.message.flatMap(RunSummary.deviceName) ?? ""),
                                   boots: boots, bootLoop: false)
                case (.boot, _, .failed):
                    // The system cannot start (a broken device): it shows the recovery screen and
                    // waits there for someone to fix it, unless a recovery in progress is about to
                    // (the device then carries on with the repair).
                    if repairs.withLock({ $0[name] }) != nil { break }
                    return BootRun(outcome: .failed(phase: .boot, errorCode: event.errorCode, message: event.message ?? ""),
                                   boots: boots, bootLoop: false)
                case (_, DeviceEvent.outcomeStep, .failed):
                    return BootRun(outcome: .failed(phase: event.phase, errorCode: event.errorCode, message: event.message ?? ""),
                                   boots: boots, bootLoop: false)
                default:
                    break
                }
            case .event:
                break
            case .power(.crashed):
                return failure("\(name) crashed")
            case .power(.stopped(let detail)):
                // The guest powered itself off. Its events are all stored by now (the agent posts
                // them before it exits), so the store says why: a Reseal, or told to power off.
                let reseal = (try? lab.store.events(of: name, after: resealsHandled))?
                    .last { $0.phase == .technician && $0.step == "reseal" && $0.status == .completed }
                guard let reseal else {
                    if detail == .shutdown { return BootRun(outcome: .poweredOff, boots: boots, bootLoop: false) }
                    return pulledPlug(name, detail: detail, boots: boots)
                }
                resealsHandled = reseal.seq
                if stopAtReseal { return BootRun(outcome: .poweredOff, boots: boots, bootLoop: false) }
                do {
                    try await host.perform { try $0.domain(named: name).start() }
                } catch {
                    return failure("cannot power \(name) on again after its reseal: \(error)")
                }
            case .power:
                break
            case .idle:
                // At the desktop, asking for work with none queued: done, once this operation
                // has seen the device act (a keyboard chord or a queued action is being carried
                // out otherwise).
                let queued = (try? lab.store.pendingActions(for: name).isEmpty == false) ?? false
                if active && !queued { return BootRun(outcome: .desktop, boots: boots, bootLoop: false) }
                // A VM already at its desktop when the operation began, given nothing to do.
                if !active && !queued && Date().timeIntervalSince(lastActivity) > Self.settleSeconds {
                    return BootRun(outcome: .desktop, boots: boots, bootLoop: false)
                }
            case .tick:
                if Date().timeIntervalSince(started) > timeout {
                    return failure("\(name) reached no end state within \(Int(timeout)) s; its screen is in "
                                   + lab.directory.path("console/\(name).log").path)
                }
            }
        }
        return failure("stopped following \(name)")
    }

    /// A VM stopped from outside (destroyed through libvirt, or found stopped after the link to
    /// libvirtd came back) in the middle of its deployment: it fails there, and says where.
    private func pulledPlug(_ name: String, detail: DomainLifecycleEvent.StoppedDetail, boots: Int) -> BootRun {
        let last = try? lab.store.device(named: name).flatMap { try lab.store.events(of: name, after: max(0, $0.lastSeq - 1)).last }
        let phase = last?.phase ?? .boot
        let at = last.map { "\($0.phase.rawValue)/\($0.step) (event \($0.seq))" } ?? "boot"
        let how = detail == .destroyed ? "powered off from outside (libvirt destroyed it)" : "stopped (\(detail))"
        try? lab.store.setLifecycle(.failed, of: name, at: Date())
        return BootRun(outcome: .failed(phase: phase, errorCode: nil, message: "\(name) was \(how) during \(at)"),
                       boots: boots, bootLoop: false)
    }

    /// How long a VM that was already at its desktop is given to start acting on what it was
    /// just given (keys pressed, an action queued) before it counts as having nothing to do.
    static let settleSeconds = 6.0
}

/// What a session waiting on a real VM hears.
enum RealVMSignal: Sendable {
    /// The device reported an event.
    case event(StoredEvent)
    /// libvirt reported a power change.
    case power(DomainLifecycleEvent.Kind)
    /// The device asked for work at its desktop and got none.
    case idle
    /// A second passed (for the deadline).
    case tick
}

/// The real VMs a session is waiting on, told when one asks for work at its desktop.
final class RealVMWatchers: Sendable {
    private let waiting = Locked<[String: AsyncStream<RealVMSignal>.Continuation]>([:])

    func watch(_ name: String, _ continuation: AsyncStream<RealVMSignal>.Continuation) {
        waiting.withLock { $0[name] = continuation }
    }

    func stop(_ name: String) {
        waiting.withLock { $0.removeValue(forKey: name) }?.finish()
    }

    func idle(_ name: String) {
        _ = waiting.withLock { $0[name] }?.yield(.idle)
    }
}
