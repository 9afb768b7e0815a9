import Foundation
import DeviceProtocol
import LabStore
import LabTopology
import Libvirt
import OOBEAgent

/// Real VMs run their agent inside the guest: the session powers them through libvirt and
/// follows them through the events they post to the endpoint.
extension LabSession {
    /// Powers the VM on (unless it runs) and waits until its events show an end state: the
    /// desktop reached, a failure shown, a reseal (then, unless asked to stop there, powering it on
    /// again for the user), the desktop idle with nothing left to do, or a boot loop.
    func bootRealVM(_ device: LabDevice, stopAtReseal: Bool) async -> BootRun {
        let name = device.name
        let startSeq = (try? lab.store.device(named: name)?.lastSeq) ?? 0
        do {
            try await connection.perform { connection in
                let domain = try connection.domain(named: name)
                if try !domain.isActive() { try domain.start() }
            }
        } catch {
            return BootRun(outcome: .failed(phase: .boot, errorCode: nil, message: "cannot power on: \(error)"), boots: 0, bootLoop: false)
        }
        let deadline = Date().addingTimeInterval(options.realDeviceTimeout)
        var seen = startSeq
        var boots = 0
        var quietSince: Date?
        var idle = false
        while Date() < deadline {
            try? await Task.sleep(for: .milliseconds(250))
            let events = (try? lab.store.events(of: name, after: seen)) ?? []
            if events.isEmpty {
                // At the desktop with nothing queued, and quiet for longer than the guest's poll.
                if idle, let since = quietSince, Date().timeIntervalSince(since) > 4,
                   (try? lab.store.pendingActions(for: name).isEmpty) ?? true {
                    return BootRun(outcome: .desktop, boots: boots, bootLoop: false)
                }
                continue
            }
            seen = events.last!.seq
            quietSince = Date()
            idle = false
            for event in events {
                switch (event.phase, event.step, event.status) {
                case (.boot, "firmware", .completed):
                    boots += 1
                    if boots > options.maximumBoots { return BootRun(outcome: .reboot, boots: boots, bootLoop: true) }
                case (.desktop, "ready", .completed):
                    return BootRun(outcome: .businessReady(deviceName: event.message.flatMap(RunSummary.deviceName) ?? ""), boots: boots,
                                   bootLoop: false)
                case (.boot, _, .failed):
                    // The system cannot start (a broken device): it reboots into automatic repair
                    // and waits at the recovery screen for someone to fix it.
                    return BootRun(outcome: .failed(phase: .boot, errorCode: event.errorCode, message: event.message ?? ""),
                                   boots: boots, bootLoop: false)
                case (_, DeviceEvent.outcomeStep, .failed):
                    return BootRun(outcome: .failed(phase: event.phase, errorCode: event.errorCode, message: event.message ?? ""),
                                   boots: boots, bootLoop: false)
                case (.technician, "reseal", .completed):
                    await waitUntilOff(name, deadline: deadline)
                    if stopAtReseal { return BootRun(outcome: .poweredOff, boots: boots, bootLoop: false) }
                    await power(name) { if try !$0.isActive() { try $0.start() } }
                case (.desktop, "boot", .info), (.lifecycle, "reset", .failed), (.lifecycle, "retire", .completed):
                    idle = true
                default:
                    idle = false
                }
            }
        }
        return BootRun(outcome: .failed(phase: .boot, errorCode: nil, message: "timed out after \(Int(options.realDeviceTimeout)) s"),
                       boots: boots, bootLoop: false)
    }

    private func waitUntilOff(_ name: String, deadline: Date) async {
        while Date() < deadline {
            let active = (try? await connection.perform { try $0.domain(named: name).isActive() }) ?? false
            if !active { return }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
