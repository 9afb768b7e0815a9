import Foundation
import Testing
import TestSupport

/// The tenant's Autopilot sync through Graph, as Invoke-AutopilotSync and Get-AutopilotSyncInfo
/// call it: refused while one runs and within Intune's 10 minutes of the last.
@Suite("the Graph door: windowsAutopilotSettings and sync")
struct GraphSyncTests {
    static let settings = "/beta/deviceManagement/windowsAutopilotSettings"

    @Test func aSyncRunsForItsDurationAndAnotherWaitsTenMinutes() async throws {
        let clock = TestClock()
        let running = try await startEndpoint(tenant: "syncDuration: 90s", clock: clock)
        let token = running.endpoint.graphToken
        let never = try await running.client.get(Self.settings, token: token)
        #expect(never.json["syncStatus"] as? String == "unknown")
        #expect(never.json["lastManualSyncTriggerDateTime"] as? String == "0001-01-01T00:00:00Z")
        #expect(try await running.client.get("/v1.0/deviceManagement/windowsAutopilotSettings", token: token).status == 404)

        #expect(try await running.client.post(Self.settings + "/sync", json: "", token: token).status == 204)
        let running1 = try await running.client.get(Self.settings, token: token)
        #expect(running1.json["syncStatus"] as? String == "inProgress")
        let busy = try await running.client.post(Self.settings + "/sync", json: "", token: token)
        #expect(busy.status == 409)

        clock.advance(90)
        let done = try await running.client.get(Self.settings, token: token)
        #expect(done.json["syncStatus"] as? String == "completed")
        let soon = try await running.client.post(Self.settings + "/sync", json: "", token: token)
        #expect(soon.status == 429)
        #expect(soon.errorCode == "TooManyRequests")
        #expect(soon.header("retry-after") == "510")

        clock.advance(510)
        #expect(try await running.client.post(Self.settings + "/sync", json: "", token: token).status == 204)
        try await running.stop()
    }
}
