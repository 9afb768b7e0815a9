import Foundation
import Testing
import GRDB
@testable import LabStore
import TestSupport

/// The store's disk fills up, or the store turns read-only, while devices report: each request
/// gets a clear refusal, nothing of it is half-stored, the device's retry goes through once the
/// store is writable again, and the database passes SQLite's integrity check when reopened.
@Suite("a full or read-only store")
struct StoreFailureTests {
    /// A batch big enough to need pages the database does not have yet.
    static func bulky(from seq: Int, count: Int) -> String {
        batch("sales-1", (seq..<seq + count).map { eventJSON($0, message: String(repeating: "x", count: 2_000)) })
    }

    static func integrity(of path: URL) throws -> String? {
        try LabStore(path: path).database.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
    }

    @Test func aFullDiskRefusesTheRequestAndLosesNothing() async throws {
        try await withEndpoint { running in
            let token = try running.token(of: "sales-1")
            let store = running.endpoint.lab.store
            #expect(try await running.client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(1), eventJSON(2)]),
                                                  token: token).status == 200)
            // The disk is full: SQLite may not grow the database beyond the pages it has now.
            try await store.database.writeWithoutTransaction { db in
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                try db.execute(sql: "PRAGMA max_page_count = \(pages)")
            }
            let refused = try await running.client.post("/oobe/v1/events", json: Self.bulky(from: 3, count: 200), token: token)
            #expect(refused.status == 507, "\(String(decoding: refused.body, as: UTF8.self))")
            #expect(refused.errorCode == "store-full")
            let message = (refused.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("state.sqlite") && message.contains("nothing of this request was stored"), "\(message)")
            #expect(try store.events(of: "sales-1").map(\.seq) == [1, 2])
            #expect(try store.device(named: "sales-1")?.lastSeq == 2)

            // Space again: the device's retry of the same batch is stored whole.
            try await store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
            let retried = try await running.client.post("/oobe/v1/events", json: Self.bulky(from: 3, count: 200), token: token)
            #expect(retried.status == 200)
            #expect(try store.events(of: "sales-1").count == 202)
            #expect(try Self.integrity(of: running.stateRoot.appendingPathComponent("http/state.sqlite")) == "ok")
        }
    }

    @Test func aReadOnlyStoreRefusesWritesAndStillAnswersReads() async throws {
        try await withEndpoint { running in
            let token = try running.token(of: "sales-1")
            let store = running.endpoint.lab.store
            // The store cannot be written (as on a file system remounted read-only).
            try await store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = ON") }
            let refused = try await running.client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(1)]), token: token)
            #expect(refused.status == 503)
            #expect(refused.errorCode == "store-read-only")
            let admin = try await running.client.get("/api/v1/devices/sales-1/timeline", token: running.adminToken)
            #expect(admin.status == 200, "\(String(decoding: admin.body, as: UTF8.self))")
            #expect(try store.events(of: "sales-1").isEmpty)

            try await store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = OFF") }
            #expect(try await running.client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(1)]), token: token).status == 200)
            #expect(try Self.integrity(of: running.stateRoot.appendingPathComponent("http/state.sqlite")) == "ok")
        }
    }
}
