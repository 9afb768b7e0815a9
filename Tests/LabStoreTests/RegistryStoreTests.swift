import Foundation
import Testing
import Autopilot
import LabStore
import TestSupport

func registration(_ serial: String, tenant: UUID = UUID(uuidString: "6b1f3c2e-8d4a-4f7b-9c1e-2a5d7e9f0b13")!,
                  tag: String? = nil) -> RegisteredDevice {
    RegisteredDevice(id: UUID().uuidString.lowercased(), tenantID: tenant, serialNumber: serial, hardwareHash: nil,
                     manufacturer: "Contoso", model: "Lab", groupTag: tag,
                     registeredAt: Date(timeIntervalSince1970: 1_767_225_600), source: "test")
}

@Suite("the lab store: registry")
struct RegistryStoreTests {
    @Test func registrationsSurviveReopeningTheFile() throws {
        let path = makeTemporaryDirectory().appendingPathComponent("state.sqlite")
        let device = registration("S-1", tag: "Sales")
        do {
            let store = try LabStore(path: path)
            try store.register([device])
            try store.setAssignment(ProfileAssignment(profileID: "p1", since: device.registeredAt), for: device.id)
        }
        let reopened = try LabStore(path: path)
        #expect(try reopened.registeredDevices() == [device])
        #expect(try reopened.assignments()[device.id]?.profileID == "p1")
        let attributes = try FileManager.default.attributesOfItem(atPath: path.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func aBatchIsAllOrNothing() throws {
        let store = try LabStore()
        let first = registration("S-1")
        try store.register([first])
        var clash = registration("S-2")
        clash.id = first.id  // same primary key: the second insert fails
        #expect(throws: (any Error).self) { try store.register([registration("S-3"), clash]) }
        #expect(try store.registeredDevices().map(\.serialNumber) == ["S-1"])
    }

    @Test func aDeletedRegistrationTakesItsAssignmentWithIt() throws {
        let store = try LabStore()
        let device = registration("S-1")
        try store.register([device])
        try store.setAssignment(ProfileAssignment(profileID: "p", since: Date()), for: device.id)
        let removed = try store.rewriteRegistrations(serial: "S-1") { ([], $0.count) }
        #expect(removed == 1)
        #expect(try store.registeredDevices().isEmpty)
        #expect(try store.assignments().isEmpty)
        #expect(try store.rewriteRegistrations(serial: "S-1") { ($0, $0.count) } == 0)
    }

    @Test func lookupBySerial() throws {
        let store = try LabStore()
        try store.register([registration("A"), registration("B"), registration("A", tenant: UUID())])
        #expect(try store.registeredDevices(serial: "A").count == 2)
        #expect(try store.registeredDevices(serial: "C").isEmpty)
    }
}
