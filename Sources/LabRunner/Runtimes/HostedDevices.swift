import Foundation
import DeviceProtocol
import LabService
import LabFiles
import LabStore

/// A way of running the lab's devices, as a run hosts it: brought up once the endpoint listens
/// (devices boot from it), closed at the end.
protocol HostedDevices: DeviceRuntime {
    /// The lab's domains on the run's hosts.
    var domains: LabDomains { get }
    /// Defines the lab's devices on their host for the endpoint on `port` and points them at it.
    func bringUp(endpointPort port: Int) async throws
    /// Saves what must outlive the run.
    func close() async throws
}

// What virtual devices and real VMs do alike, through libvirt.
extension HostedDevices {
    func powerOff(_ device: LabDevice) async throws {
        try await domains.powerOff(device.name)
    }

    func isRunning(_ device: LabDevice) async throws -> Bool {
        try await domains.isActive(device.name)
    }

    func keptPowerState(of device: LabDevice) -> Bool? {
        (try? domains.host(of: device.name))?.powerStates.active(device.name)
    }

    func takeSnapshot(of device: LabDevice, named name: String, standing: Standing) async throws {
        try await domains.takeSnapshot(of: device.name, named: name, standing: standing)
    }

    func revert(_ device: LabDevice, toSnapshot name: String) async throws -> Standing {
        try await domains.revert(device.name, toSnapshot: name)
    }

    func screen(of device: LabDevice) async throws -> Data {
        try await domains.screen(of: device.name)
    }

    /// A device powered off in the middle of its flow (`how`: by whom): it fails there, and says
    /// where.
    func pulledPlug(_ name: String, how: String, boots: Int) async -> DeviceRun {
        let lab = domains.lab
        do {
            let last = try await Offload.run { () -> StoredEvent? in
                guard let record = try lab.store.device(named: name) else { return nil }
                let last = try lab.store.events(of: name, after: max(0, record.lastSeq - 1)).last
                try lab.store.setLifecycle(.failed, of: name, at: lab.clock())
                return last
            }
            let at = last.map { "\($0.phase.rawValue)/\($0.step) (event \($0.seq))" } ?? "boot"
            return DeviceRun(end: .failed(phase: last?.phase ?? .boot, errorCode: nil, message: "\(name) was \(how) during \(at)"),
                             boots: boots)
        } catch {
            return DeviceRun(end: .failed(phase: .boot, errorCode: nil,
                                          message: "\(name) was \(how); the store cannot record it: \(error)"), boots: boots)
        }
    }
}
