import Foundation
import Testing
import Libvirt
import LabController
import LabService
import LabFiles
import TestSupport

/// Devices that name no host, under `placement: capacity`: spread by what each host has, once,
/// and kept where they went.
@Suite("placing devices on a lab's hosts by capacity")
struct HostPlacementTests {
    static func labFile(_ fleet: String, placement: String = "capacity") throws -> LabFile {
        try LabFile.parse("""
            lab: placed
            hosts:
              big: test:///default
              small: test:///default
            placement: \(placement)
            models:
              laptop: { manufacturer: Contoso, product: Lab Laptop, memory: 1024, vcpus: 1 }
            fleet:
            \(fleet)
            """, file: "placed.yaml")
    }

    static let four = """
          - { model: laptop, count: 4, name: "pc-{seq}", serial: "PC-{seq:04}" }
        """

    @Test func devicesGoWhereMostMemoryIsLeftThenFewestVCPUsPerCPU() throws {
        let root = makeTemporaryDirectory("pxelab-placement")
        let directory = LabDirectory(root: root, lab: "placed")
        let capacities = ["big": HostPlacement.Capacity(freeMemoryMiB: 4096, cpus: 2),
                          "small": HostPlacement.Capacity(freeMemoryMiB: 2048, cpus: 2)]
        let placed = try HostPlacement.resolve(Self.labFile(Self.four), in: directory) { capacities[$0.name]! }
        // big 4096 → 3072 → 2048 (even with small: big has 2 vCPUs on 2 CPUs, small none) → small → big.
        #expect(placed.devices.map { placed.host(of: $0).name } == ["big", "big", "small", "big"])
    }

    @Test func aPlacedDeviceStaysAndOnlyNewOnesArePlaced() throws {
        let root = makeTemporaryDirectory("pxelab-placement")
        let directory = LabDirectory(root: root, lab: "placed")
        let first = try HostPlacement.resolve(Self.labFile(Self.four), in: directory) { _ in
            HostPlacement.Capacity(freeMemoryMiB: 8192, cpus: 4)
        }
        #expect(first.devices.map { first.host(of: $0).name } == ["big", "small", "big", "small"])

        // The hosts' capacity changes; the placed devices stay, and only the new one asks for it.
        var asked = 0
        let more = Self.four + "\n  - { model: laptop, name: extra, serial: EXTRA-1 }\n  - { model: laptop, name: pinned, host: big, serial: PIN-1 }"
        let second = try HostPlacement.resolve(Self.labFile(more), in: directory) { host in
            asked += 1
            return HostPlacement.Capacity(freeMemoryMiB: host.name == "small" ? 65536 : 1024, cpus: 4)
        }
        #expect(asked == 2)  // each host's, once
        #expect(second.devices.map { second.host(of: $0).name } == ["big", "small", "big", "small", "small", "big"])
        // Nothing new: libvirt is not asked at all, and a lab opened from the folder sees the same.
        let third = try HostPlacement.resolve(Self.labFile(more), in: directory) { _ in
            Issue.record("capacity asked with nothing to place")
            return HostPlacement.Capacity(freeMemoryMiB: 0, cpus: 1)
        }
        #expect(third.devices.map { third.host(of: $0).name } == ["big", "small", "big", "small", "small", "big"])
        let lab = try Lab(labFile: Self.labFile(more), stateRoot: root)
        let hosts = Dictionary(uniqueKeysWithValues: try lab.deviceSummaries().map { ($0.name, $0.host) })
        #expect(hosts == ["pc-1": "big", "pc-2": "small", "pc-3": "big", "pc-4": "small", "extra": "small", "pinned": "big"])
    }

    @Test func firstHostPutsEveryDeviceThatNamesNoneOnTheFirstAndAsksNobody() throws {
        let root = makeTemporaryDirectory("pxelab-placement")
        let placed = try HostPlacement.resolve(Self.labFile(Self.four, placement: "first-host"),
                                               in: LabDirectory(root: root, lab: "placed")) { _ in
            Issue.record("capacity asked under first-host")
            return HostPlacement.Capacity(freeMemoryMiB: 0, cpus: 1)
        }
        #expect(placed.devices.allSatisfy { placed.host(of: $0).name == "big" })
    }

    @Test func upPlacesOnTheEmbeddedHostsAndDownForgetsThePlacement() throws {
        let root = makeTemporaryDirectory("pxelab-placement")
        let labFile = try Self.labFile(Self.four)
        let directory = LabDirectory(root: root, lab: labFile.lab)
        let provisioner = LabProvisioner(labFile: labFile, directory: directory)
        #expect(try provisioner.up().count == 4)
        // Two hosts of the same (test driver's) capacity: one after the other.
        #expect(try LabPlacement.load(from: directory)?.devices == ["pc-1": "big", "pc-2": "small", "pc-3": "big", "pc-4": "small"])
        // `pxelab devices` names each device's host as the lab file does.
        #expect(try DeviceInventory.devices(in: directory).map(\.host) == ["big", "small", "big", "small"])
        // A record whose host has another URI now (the lab file changed it since) names none.
        var record = try #require(try LabPlacement.load(from: directory))
        record.hosts?["small"] = "qemu+tcp://198.18.0.9/system"
        try record.save(to: directory)
        #expect(try DeviceInventory.devices(in: directory).map(\.host) == ["big", nil, "big", nil])
        _ = try provisioner.down()
        #expect(try LabPlacement.load(from: directory)?.devices == nil)
    }

    @Test func anUnknownPolicyIsAnErrorNamingTheChoices() {
        #expect(throws: LabFileError.self) { try Self.labFile(Self.four, placement: "random") }
        do {
            _ = try Self.labFile(Self.four, placement: "random")
        } catch {
            #expect("\(error)".contains("'random' is not one of: first-host, capacity"), "\(error)")
        }
    }
}
