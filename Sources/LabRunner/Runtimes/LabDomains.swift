import Foundation
import DeviceProtocol
import LabController
import LabService
import LabStore
import LabFiles
import Libvirt
import OOBEAgent

/// A run's libvirt domains, on the one host the run uses: what virtual devices and real VMs do
/// alike through libvirt (defining them, power, snapshots, screens), and the device disks kept
/// in the lab folder.
struct LabDomains: Sendable {
    let lab: Lab
    /// The libvirt host, reopened if its daemon goes away.
    let host: HostLink
    let uriOverride: String?

    /// Defines the lab's devices for an endpoint on `port` (real VMs network-boot from it),
    /// converging what is there; the embedded host is the connection the run already holds.
    func define(endpointPort port: Int, embedded: Bool) throws {
        _ = try LabProvisioner(labFile: lab.labFile, directory: lab.directory, uriOverride: uriOverride, endpointPort: port)
            .up(embedded: embedded ? host.connection : nil)
    }

    /// Runs a libvirt operation on a device's domain, off the cooperative pool.
    func domain<T: Sendable>(_ name: String, _ work: @escaping @Sendable (Domain) throws -> T) async throws -> T {
        try await host.perform { connection in try work(connection.domain(named: name)) }
    }

    func powerOn(_ name: String) async throws {
        try await domain(name) { if try !$0.isActive() { try $0.start() } }
    }

    func powerOff(_ name: String) async throws {
        try await domain(name) { if try $0.isActive() { try $0.destroy() } }
    }

    /// A device's disk as a virtual device keeps it: a file in the lab folder.
    func storage(of name: String) -> FileDeviceStorage {
        FileDeviceStorage(file: lab.directory.path("devices/\(name).json"))
    }

    /// Takes a named snapshot: the domain's (libvirt), and the device's disk with its lifecycle.
    func takeSnapshot(of name: String, named label: String, lifecycle: DeviceLifecycle) async throws {
        let folder = lab.directory.path("snapshots/\(name)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let state = try storage(of: name).load() ?? DeviceState()
        try ProtocolJSON.encoder().encode(DeviceSnapshot(state: state, lifecycle: lifecycle))
            .write(to: folder.appendingPathComponent("\(label).json"), options: .atomic)
        try await domain(name) { domain in
            if let existing = try domain.snapshotIfExists(named: label) { try existing.delete() }
            _ = try domain.createSnapshot(xml: "<domainsnapshot><name>\(label)</name><description>pxelab: \(lifecycle.rawValue)</description></domainsnapshot>")
        }
    }

    /// Reverts a device to a named snapshot; returns the lifecycle it was taken in.
    func revert(_ name: String, toSnapshot label: String) async throws -> DeviceLifecycle {
        let file = lab.directory.path("snapshots/\(name)/\(label).json")
        guard FileManager.default.fileExists(atPath: file.path) else { throw LabError.noSnapshot(device: name, name: label) }
        let snapshot: DeviceSnapshot
        do {
            snapshot = try ProtocolJSON.decoder().decode(DeviceSnapshot.self, from: Data(contentsOf: file))
        } catch {
            throw LabError.unreadable(file: file.path, problem: ProtocolJSON.problem(error))
        }
        try await domain(name) { domain in try domain.revert(to: try domain.snapshot(named: label), [.force]) }
        try storage(of: name).save(snapshot.state)
        return snapshot.lifecycle
    }

    /// What a running device's screen shows, as PNG.
    func screen(of name: String) async throws -> Data {
        let directory = lab.directory
        return try await domain(name) { try DeviceScreen.png(of: $0, in: directory) }
    }

    /// A snapshot's record beside libvirt's: the device's disk and its lifecycle.
    struct DeviceSnapshot: Codable {
        var state: DeviceState
        var lifecycle: DeviceLifecycle
    }
}
