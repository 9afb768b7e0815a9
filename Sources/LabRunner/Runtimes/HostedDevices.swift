import Foundation
import DeviceProtocol
import LabService
import LabFiles

/// A way of running the lab's devices, as a run hosts it: brought up once the endpoint listens
/// (devices boot from it), closed at the end.
protocol HostedDevices: DeviceRuntime {
    /// The lab's domains on the run's host.
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
        try await domains.domain(device.name) { try $0.isActive() }
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
}
