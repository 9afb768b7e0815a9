import Foundation
import Testing
import TestSupport

@Suite("a restart keeps everything")
struct RestartTests {
    @Test func devicesEventsAndTokensSurviveARestart() async throws {
        let first = try await RunningEndpoint.start()
        let token = try first.token(of: "sales-1")
        _ = try await first.client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(1), eventJSON(2)]), token: token)
        _ = try await first.client.post("/oobe/v1/events",
                                        json: batch("sales-1", [eventJSON(3, phase: "desktop", step: "ready")]), token: token)
        _ = try await first.client.get("/ipxe?serial=NOBODY")
        try await first.stop()

        let second = try await RunningEndpoint.start(stateRoot: first.stateRoot)
        defer { Task { try await second.stop() } }
        #expect(try second.token(of: "sales-1") == token)
        let device = try #require(try second.endpoint.lab.store.device(named: "sales-1"))
        #expect(device.lastSeq == 3)
        #expect(device.lifecycle == .deployed)
        #expect(try second.endpoint.lab.store.events(of: "sales-1").map(\.seq) == [1, 2, 3])
        // The retry of an event stored before the restart is still recognised.
        let retry = try await second.client.post("/oobe/v1/events",
                                                 json: batch("sales-1", [eventJSON(3, phase: "desktop", step: "ready")]), token: token)
        #expect(retry.json["duplicates"] as? Int == 1)
        #expect(try await second.client.get("/api/v1/discovered", token: second.adminToken).jsonArray.count == 1)
    }
}
