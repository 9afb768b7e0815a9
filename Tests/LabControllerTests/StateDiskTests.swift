import Foundation
import Testing
import Libvirt
import LabController
import LabService
import TestSupport

@Suite("real VMs' state disks through libvirt's storage API", .needs(.libvirtQEMU))
struct StateDiskTests {
    let connection: Connection

    init() throws {
        connection = try Connection(uri: "qemu:///system")
    }

    func disks() -> StateDisks {
        StateDisks(lab: "t\(UUID().uuidString.prefix(6).lowercased())",
                   directory: LabDirectory(root: makeTemporaryDirectory("pxelab-disks"), lab: "disks"))
    }

    @Test func disksAreCreatedOnceRecreatedEmptyAndThePoolReleased() throws {
        let disks = disks()
        defer { try? disks.release(on: connection) }
        try disks.ensure(for: ["a", "b"], on: connection)
        let a = disks.path(of: "a")
        #expect(FileManager.default.fileExists(atPath: a.path))
        #expect(try Data(contentsOf: a).prefix(4) == Data([0x51, 0x46, 0x49, 0xFB]))  // qcow2's magic: "QFI\xfb"
        // A second ensure keeps the disk (and what the guest wrote on it).
        let marker = Data("guest data".utf8)
        let handle = try FileHandle(forWritingTo: a)
        try handle.seekToEnd()
        try handle.write(contentsOf: marker)
        try handle.close()
        let written = try Data(contentsOf: a).count
        try disks.ensure(for: ["a", "b"], on: connection)
        #expect(try Data(contentsOf: a).count == written)
        // A factory reset gives a new, empty disk.
        try disks.recreate(for: ["a"], on: connection)
        #expect(try Data(contentsOf: a).count < written)
        #expect(try connection.poolIfExists(named: disks.poolName)?.isActive() == true)
        try disks.release(on: connection)
        #expect(try connection.poolIfExists(named: disks.poolName) == nil)
        #expect(FileManager.default.fileExists(atPath: a.path))
    }

    @Test func aPoolLeftByAnotherStateFolderIsReplaced() throws {
        let first = disks()
        let second = StateDisks(lab: first.lab, directory: LabDirectory(root: makeTemporaryDirectory("pxelab-disks"), lab: "disks"))
        defer { try? second.release(on: connection) }
        try first.ensure(for: ["a"], on: connection)
        try second.ensure(for: ["a"], on: connection)
        #expect(FileManager.default.fileExists(atPath: second.path(of: "a").path))
    }
}
