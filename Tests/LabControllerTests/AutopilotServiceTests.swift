import Foundation
import Testing
import Autopilot
import LabController
import LabStore
import LabTopology
import LibvirtXML
import TestSupport

/// A clock tests move by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: Double) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

let serviceLab = """
lab: svc
tenant: { domain: contoso.onmicrosoft.com, assignmentDelay: 30s }
models:
  laptop: { manufacturer: Contoso, product: Lab Laptop, tpm: "2.0" }
fleet:
  - { model: laptop, count: 2, name: "sales-{seq}", serial: "SALES-{seq}", groupTag: Sales }
  - { model: laptop, name: loose, serial: LOOSE-1 }
  - { model: laptop, name: unregistered, serial: NEW-1, registered: false }
groups:
  - name: Sales devices
    rule: (device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))
profiles:
  - displayName: Sales
    assignments: [Sales devices]
"""

@Suite("the Autopilot service of a lab")
struct AutopilotServiceTests {
    let clock = ManualClock()

    func open() throws -> Lab {
        let topology = try Topology.parse(serviceLab, file: "svc.yaml")
        let clock = clock
        return try Lab(topology: topology, stateRoot: makeTemporaryDirectory("pxelab-state"), clock: { clock.now })
    }

    @Test func theFleetIsRegisteredOnceWithItsHashes() throws {
        let lab = try open()
        let registered = try lab.store.registeredDevices()
        #expect(registered.map(\.serialNumber).sorted() == ["LOOSE-1", "SALES-1", "SALES-2"])
        #expect(try registered.allSatisfy { try HardwareHash(base64: $0.hardwareHash!).serial == $0.serialNumber })
        #expect(try lab.autopilot.registerFleet(of: lab.topology).isEmpty)
    }

    @Test func profileDiscoveryOutcomes() throws {
        let lab = try open()
        let service = lab.autopilot
        #expect(try service.discoverProfile(serial: "NEW-1") == .notRegistered)
        #expect(try service.discoverProfile(serial: "NEW-1").eventID == 807)
        #expect(try service.discoverProfile(serial: "LOOSE-1") == .noProfile)
        #expect(try service.discoverProfile(serial: "LOOSE-1").eventID == 815)
        #expect(try service.discoverProfile(serial: "SALES-1") == .assigning(retryAfterSeconds: 30))
        clock.advance(20)
        #expect(try service.discoverProfile(serial: "SALES-1") == .assigning(retryAfterSeconds: 10))
        clock.advance(10)
        guard case .assigned(let profile, _) = try service.discoverProfile(serial: "SALES-1") else {
            Issue.record("expected the profile")
            return
        }
        #expect(profile.displayName == "Sales")
    }

    @Test func aDeviceOfAnotherTenant() throws {
        let lab = try open()
        let foreign = UUID()
        try lab.store.register([RegisteredDevice(id: "f", tenantID: foreign, serialNumber: "OTHER-1", hardwareHash: nil,
                                                 registeredAt: clock.now, source: "other tenant")])
        #expect(try lab.autopilot.discoverProfile(serial: "OTHER-1") == .otherTenant(tenantID: foreign))
    }

    @Test func aCSVImportIsAllOrNothingAndRegistersTheRest() throws {
        let lab = try open()
        let device = lab.topology.devices.first { $0.name == "unregistered" }!
        let hash = lab.topology.hardwareHash(of: device)
        let header = "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag"
        let bad = "\(header)\r\nNEW-1,,\(hash),Sales\r\nSALES-1,,\(hash),Sales\r\n"
        let error = #expect(throws: CSVImportError.self) { try lab.autopilot.importCSV(Data(bad.utf8), source: "bad.csv") }
        #expect(error?.problems.map(\.line) == [3])
        #expect(try lab.store.registeredDevices(serial: "NEW-1").isEmpty)

        let good = "\(header)\r\nNEW-1,,\(hash),Sales\r\n"
        let imported = try lab.autopilot.importCSV(Data(good.utf8), source: "good.csv")
        #expect(imported.map(\.manufacturer) == ["Contoso"])  // filled from the hash
        #expect(try lab.autopilot.discoverProfile(serial: "NEW-1") == .assigning(retryAfterSeconds: 30))
    }

    @Test func exportThenImportElsewhereGivesTheSameRegistry() throws {
        let lab = try open()
        let exported = try lab.autopilot.exportCSV()
        let fresh = try LabStore()
        let other = AutopilotService(store: fresh, configuration: lab.topology.serviceConfiguration)
        _ = try other.importCSV(exported, source: "export.csv")
        func summary(_ devices: [RegisteredDevice]) -> [String] {
            devices.map { "\($0.serialNumber)|\($0.hardwareHash ?? "")|\($0.groupTag ?? "")|\($0.assignedUser ?? "")" }.sorted()
        }
        #expect(summary(try fresh.registeredDevices()) == summary(try lab.store.registeredDevices()))
    }

    @Test func deregisteredDevicesGet807() throws {
        let lab = try open()
        #expect(try lab.autopilot.deregister(serial: "LOOSE-1"))
        #expect(try lab.autopilot.discoverProfile(serial: "LOOSE-1") == .notRegistered)
    }
}

@Suite("cloning a field device")
struct CloneDeviceTests {
    @Test func aUTF16CSVBecomesALabDeviceThatUpDefinesWithTheDecodedSerial() throws {
        // What Get-WindowsAutopilotInfo writes under Windows PowerShell 5.1: UTF-16LE with a BOM,
        // CRLF, an unpadded hash; the device is an HP with a real-looking identity.
        let source = try Topology.parse("""
            lab: field
            models:
              hp: { manufacturer: HP, product: HP EliteBook 840 G8 Notebook PC, sku: "3C8G1EA#ABD", family: 103C_5336AN HP EliteBook, tpm: "2.0", chassis: notebook }
            fleet:
              - { model: hp, name: x, serial: 5CG1234XYZ, uuid: 4C4C4544-0042-3910-8052-B4C04F4D3233, mac: "00:15:5d:01:02:03" }
            """, file: "field.yaml")
        let fieldHash = source.hardwareHash(of: source.devices[0])
        let csv = "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\n5CG1234XYZ,,\(fieldHash),Finance\r\n"
        let data = Data([0xFF, 0xFE]) + csv.data(using: .utf16LittleEndian)!

        let rows = try AutopilotCSV.read(data, source: "field.csv", rules: .fieldCollection)
        let labText = try FieldDeviceClone.labFile(lab: "repro", rows: rows, source: "field.csv")
        let topology = try Topology.parse(labText, file: "repro.yaml")
        let device = try #require(topology.devices.first)
        #expect(device.identity.serial == "5CG1234XYZ")
        #expect(device.identity.manufacturer == "HP")
        #expect(device.identity.sku == "3C8G1EA#ABD")
        #expect(device.identity.uuid == UUID(uuidString: "4C4C4544-0042-3910-8052-B4C04F4D3233"))
        #expect(device.identity.mac.description == "00:15:5d:01:02:03")
        #expect(device.groupTag == "Finance")
        #expect(topology.hardwareHash(of: device) == fieldHash)

        let root = makeTemporaryDirectory("pxelab-state")
        let directory = LabDirectory(root: root, lab: "repro")
        #expect(try LabProvisioner(topology: topology, directory: directory).up().map(\.action) == [.defined])
        let stored = try EmbeddedHost.open(in: directory).domains().map { try DomainSpec(xml: $0.xmlDescription()) }
        #expect(stored.first?.sysinfo?.system.serial == "5CG1234XYZ")
        #expect(stored.first?.sysinfo?.system.uuid == "4c4c4544-0042-3910-8052-b4c04f4d3233")
    }

    @Test func aPlaceholderSerialIsClonedAsTheFieldBugItIs() throws {
        let source = try Topology.parse("""
            lab: field
            models: { pc: { manufacturer: OEM, product: Box } }
            fleet: [{ model: pc, name: x, serial: Default string, reproduce: [placeholder-serial] }]
            """, file: "f.yaml")
        let csv = "Device Serial Number,Windows Product ID,Hardware Hash\nDefault string,,\(source.hardwareHash(of: source.devices[0]))\n"
        let rows = try AutopilotCSV.read(Data(csv.utf8), source: "f.csv", rules: .fieldCollection)
        let topology = try Topology.parse(try FieldDeviceClone.labFile(lab: "repro", rows: rows, source: "f.csv"), file: "r.yaml")
        #expect(topology.devices.first?.reproduces == [.placeholderSerial])
    }
}
