public import Foundation
public import LabService
public import Libvirt
import LibXML

/// The small qcow2 disks real VMs keep their state on, one per device, in the lab's `disks/`
/// folder: managed through libvirt's storage API (a transient directory pool named
/// `pxelab-<lab>` over that folder), so they work on any libvirt host that can see it.
public struct StateDisks: Sendable {
    public let lab: String
    public let folder: URL

    public init(lab: String, directory: LabDirectory) {
        self.lab = lab
        self.folder = directory.path("disks")
    }

    /// The pool's name.
    public var poolName: String { "pxelab-\(lab)" }

    /// A device's volume name.
    public static func volumeName(of device: String) -> String { "\(device).qcow2" }

    /// Where a device's disk lives.
    public func path(of device: String) -> URL { folder.appendingPathComponent(Self.volumeName(of: device)) }

    /// Creates the disks that do not exist yet.
    public func ensure(for devices: [String], on connection: Connection) throws {
        let pool = try self.pool(on: connection)
        for device in devices where try pool.volumeIfExists(named: Self.volumeName(of: device)) == nil {
            try create(device, in: pool)
        }
    }

    /// Replaces the disks with new, empty ones: a factory-fresh device (its domain must be off).
    public func recreate(for devices: [String], on connection: Connection) throws {
        let pool = try self.pool(on: connection)
        for device in devices {
            try pool.volumeIfExists(named: Self.volumeName(of: device))?.delete()
            try create(device, in: pool)
        }
    }

    /// Stops the lab's pool on a host (when the lab goes down); the disks' files stay.
    public func release(on connection: Connection) throws {
        if let pool = try connection.poolIfExists(named: poolName), try pool.isActive() { try pool.destroy() }
    }

    private func pool(on connection: Connection) throws -> StoragePool {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let existing = try connection.poolIfExists(named: poolName), try existing.isActive() {
            // A pool left over from another state folder of a lab with this name is replaced.
            let target = try XMLDocument(parsing: existing.xmlDescription(), source: "pool \(poolName)")
                .root.child(named: "target")?.child(named: "path")?.text
            if target == folder.path, (try? existing.refresh()) != nil { return existing }
            try existing.destroy()
        }
        let document = XMLDocument(root: "pool")
        document.root.setAttribute("type", "dir")
        document.root.append("name", text: poolName)
        document.root.append("target").append("path", text: folder.path)
        return try connection.createTransientPool(xml: document.serialized())
    }

    private func create(_ device: String, in pool: StoragePool) throws {
        let volume = XMLDocument(root: "volume")
        volume.root.append("name", text: Self.volumeName(of: device))
        volume.root.append("capacity", text: String(StateDisk.capacityMiB), attributes: ["unit": "MiB"])
        volume.root.append("target").append("format", attributes: ["type": "qcow2"])
        _ = try pool.createVolume(xml: volume.serialized())
    }
}
