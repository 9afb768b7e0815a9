import Foundation
import Testing
import GRDB
import DeviceProtocol
@testable import LabStore

@Suite("the lab store: boot status in memory")
struct BootStatusTests {
    @Test func aBootCountsAtOnceAndIsStoredOnceTheStoreSettles() throws {
        let store = try store(devices: ["a", "b"])
        #expect(try store.recordBoot(of: "a", identity: "serial=S-a", at: Date()) == DeviceBootStatus(lifecycle: .factory, bootCount: 1))
        #expect(try store.recordBoot(of: "a", identity: "serial=S-a&mac=52-54-00-00-00-01", client: "198.18.0.2", at: Date())?.bootCount == 2)
        #expect(try store.recordBoot(of: "nobody", identity: "", at: Date()) == nil)
        try store.settle()
        let stored = try #require(try store.device(named: "a"))
        #expect(stored.bootCount == 2)
        #expect(stored.bootIdentity == "serial=S-a&mac=52-54-00-00-00-01")
        #expect(stored.bootClient == "198.18.0.2")
        #expect(try store.device(named: "b")?.bootCount == 0)
    }

    @Test func lifecycleWritesReachTheBootStatus() throws {
        let store = try store(devices: ["a", "b", "c"])
        #expect(try store.bootStatus(of: "a")?.lifecycle == .factory)
        let desktop = DeviceEvent(seq: 1, time: Date(), phase: .desktop, step: "ready", status: .completed)
        _ = try store.appendEvents([desktop], of: "a", at: Date())
        #expect(try store.bootStatus(of: "a")?.lifecycle == .deployed)
        try store.setLifecycle(.wiped, of: ["b", "c"], at: Date())
        #expect(try store.bootStatus(of: "b")?.lifecycle == .wiped)
        #expect(try store.bootStatus(of: "c")?.lifecycle == .wiped)
        // A device added later is found too.
        try store.syncDevices(deviceRecords(["a", "b", "c", "d"]))
        #expect(try store.bootStatus(of: "d") == DeviceBootStatus(lifecycle: .factory, bootCount: 0))
        #expect(try store.bootStatus(of: "a")?.lifecycle == .deployed)
    }

    @Test func aBootThatCannotBeStoredIsForgotten() throws {
        let store = try store(devices: ["a"])
        try store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = ON") }
        #expect(try store.recordBoot(of: "a", identity: "serial=S-a", at: Date())?.bootCount == 1)
        // Settling says the store refuses writes, once the boot's write has failed too.
        #expect(throws: LabStoreError.self) { try store.settle() }
        try store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = OFF") }
        // The write failed: the status is the database's again, not the one counted in advance.
        #expect(try store.bootStatus(of: "a")?.bootCount == 0)
    }
}

@Suite("the lab store: stored events as JSON")
struct StoredEventJSONTests {
    @Test func anEventLogLineIsTheBytesJSONEncoderWrites() throws {
        let store = try store(devices: ["dev/1 \"x\""])
        _ = try store.appendEvents([
            DeviceEvent(seq: 1, time: Date(timeIntervalSince1970: 0), phase: .boot, step: "firmware", status: .started),
            DeviceEvent(seq: 2, time: Date(timeIntervalSince1970: 1_800_000_000.5), phase: .espDeviceSetup, step: "app:office",
                        status: .failed, errorCode: 0x81036502, message: "Zürich\ttab\u{01} a/b"),
        ], of: "dev/1 \"x\"", at: Date(timeIntervalSince1970: 1_800_000_001))
        let stored = try store.events(of: "dev/1 \"x\"")
        #expect(stored.count == 2)
        for event in stored {
            #expect(EventJSON.encode(event.event, device: event.device, receivedAt: event.receivedAt)
                    == (try ProtocolJSON.encoder().encode(event)))
        }
    }
}
