import Foundation
import Testing
import Autopilot
import DeviceProtocol
import LabService
import LabStore
import LabFiles
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
        let labFile = try LabFile.parse(serviceLab, file: "svc.yaml")
        let clock = clock
        return try Lab(labFile: labFile, stateRoot: makeTemporaryDirectory("pxelab-state"), clock: { clock.now })
    }

    @Test func theFleetIsRegisteredOnceWithItsHashes() throws {
        let lab = try open()
        let registered = try lab.store.registeredDevices()
        #expect(registered.map(\.serialNumber).sorted() == ["LOOSE-1", "SALES-1", "SALES-2"])
        #expect(try registered.allSatisfy { try HardwareHash(base64: $0.hardwareHash!).serial == $0.serialNumber })
        #expect(try lab.autopilot.registerFleet(of: lab.labFile).isEmpty)
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

    @Test func aNeverAssignedFaultKeepsTheAssignmentPendingAndTheDeviceWithoutItsProfile() throws {
        let lab = try open()
        let service = lab.autopilot
        try lab.inject(Fault(id: "stuck", kind: .neverAssigned), into: "sales-1")
        _ = try service.states(of: service.registrations())  // the assignments start
        clock.advance(3_600)
        let states = try service.states(of: service.registrations())
        #expect(states.first { $0.registration.serialNumber == "SALES-1" }?.assignmentStatus == .assigning)
        #expect(states.first { $0.registration.serialNumber == "SALES-2" }?.assignmentStatus == .assigned)
        // At OOBE the device does not wait: no profile (815), the standard OOBE.
        #expect(try service.discoverProfile(serial: "SALES-1") == .noProfile)
        #expect(try service.discoverProfile(serial: "SALES-1").eventID == 815)
        // Cleared, the assignment completes (it has waited longer than the delay).
        try lab.clearFaults(of: "sales-1")
        guard case .assigned = try service.discoverProfile(serial: "SALES-1") else {
            Issue.record("expected the profile once the fault is cleared")
            return
        }
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
        let device = lab.labFile.devices.first { $0.name == "unregistered" }!
        let hash = lab.labFile.hardwareHash(of: device)
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
        let other = AutopilotService(store: fresh, configuration: lab.labFile.serviceConfiguration)
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
