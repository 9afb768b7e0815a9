import Foundation
import DeviceProtocol
import LabController
import LabService
import LabStore
import LabFiles
import Libvirt
import OOBEAgent

/// A run's libvirt domains, on the hosts the run uses: what virtual devices and real VMs do
/// alike through libvirt (defining them, power, snapshots, screens), and the device disks kept
/// in the lab folder. Each device's operations go to its own host's link.
struct LabDomains: Sendable {
    let lab: Lab
    /// The libvirt hosts by the lab file's URI (the embedded host's connection has a URI of its
    /// own), each reopened if its daemon goes away.
    let hosts: [String: HostLink]
    let uriOverride: String?
    /// Each device's host URI, by device name.
    private let placement: [String: String]

    init(lab: Lab, hosts: [String: HostLink], uriOverride: String?) {
        self.lab = lab
        self.hosts = hosts
        self.uriOverride = uriOverride
        self.placement = Dictionary(lab.labFile.devices.map {
                                        ($0.name, DeviceDomain.host(of: $0, in: lab.labFile, uriOverride: uriOverride).uri)
                                    },
                                    uniquingKeysWith: { first, _ in first })
    }

    /// The link to the host a device's domain is on.
    func host(of name: String) throws(LabError) -> HostLink {
        guard let uri = placement[name], let host = hosts[uri] else { throw LabError.noDevice(name, lab: lab.labFile.lab) }
        return host
    }

    /// The links, in URI order.
    var links: [HostLink] { hosts.keys.sorted().map { hosts[$0]! } }

    /// Defines the lab's devices for an endpoint on `port` (real VMs network-boot from it),
    /// converging what is there; `embedded` is the embedded host the run already holds open.
    func define(endpointPort port: Int, embedded: Connection?) async throws {
        let provisioner = LabProvisioner(labFile: lab.labFile, directory: lab.directory, uriOverride: uriOverride, endpointPort: port)
        defer { hosts.values.forEach { $0.powerStates.changedAll() } }
        _ = try await Offload.run { try provisioner.up(embedded: embedded) }
    }

    /// Runs a libvirt operation on a device's domain, off the cooperative pool. The domain's power
    /// state is read from libvirt again afterwards (the operation may have changed it, and its
    /// lifecycle event may come later).
    func domain<T: Sendable>(_ name: String, _ work: @escaping @Sendable (Domain) throws -> T) async throws -> T {
        let host = try host(of: name)
        defer { host.powerStates.changed(name) }
        return try await host.perform { connection in try work(connection.domain(named: name)) }
    }

    /// Whether a device's domain runs: as kept since libvirt last said (``KeptPowerStates``), or
    /// read from it.
    func isActive(_ name: String) async throws -> Bool {
        let host = try host(of: name)
        let powerStates = host.powerStates
        if let active = powerStates.active(name) { return active }
        let reading = powerStates.reading(name)
        let active = try await host.perform { connection in try connection.domain(named: name).isActive() }
        powerStates.keep(active, of: name, readAt: reading)
        return active
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

    /// Takes a named snapshot: the domain's (libvirt), and the device's disk with where it stands.
    func takeSnapshot(of name: String, named label: String, standing: Standing) async throws {
        let file = lab.directory.path("snapshots/\(name)/\(label).json")
        let storage = storage(of: name)
        try await Offload.run {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let state = try storage.load() ?? DeviceState()
            try ProtocolJSON.encoder().encode(DeviceSnapshot(state: state, lifecycle: standing.lifecycle, errorCode: standing.errorCode))
                .write(to: file, options: .atomic)
        }
        try await domain(name) { domain in
            if let existing = try domain.snapshotIfExists(named: label) { try existing.delete() }
            _ = try domain.createSnapshot(xml: "<domainsnapshot><name>\(label)</name><description>pxelab: \(standing.lifecycle.rawValue)</description></domainsnapshot>")
        }
    }

    /// Reverts a device to a named snapshot; returns where it stood when the snapshot was taken.
    func revert(_ name: String, toSnapshot label: String) async throws -> Standing {
        let file = lab.directory.path("snapshots/\(name)/\(label).json")
        let snapshot = try await Offload.run { () throws -> DeviceSnapshot in
            guard FileManager.default.fileExists(atPath: file.path) else { throw LabError.noSnapshot(device: name, name: label) }
            do {
                return try ProtocolJSON.decoder().decode(DeviceSnapshot.self, from: Data(contentsOf: file))
            } catch {
                throw LabError.unreadable(file: file.path, problem: ProtocolJSON.problem(error))
            }
        }
        try await domain(name) { domain in try domain.revert(to: try domain.snapshot(named: label), [.force]) }
        let storage = storage(of: name)
        try await Offload.run { try storage.save(snapshot.state) }
        return Standing(lifecycle: snapshot.lifecycle, errorCode: snapshot.errorCode)
    }

    /// What a running device's screen shows, as PNG.
    func screen(of name: String) async throws -> Data {
        let directory = lab.directory
        return try await domain(name) { try DeviceScreen.png(of: $0, in: directory) }
    }

    /// A snapshot's record beside libvirt's: the device's disk, its lifecycle and error code.
    struct DeviceSnapshot: Codable, Sendable {
        var state: DeviceState
        var lifecycle: DeviceLifecycle
        var errorCode: UInt32?
    }
}
