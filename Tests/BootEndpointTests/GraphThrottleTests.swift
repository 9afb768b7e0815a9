import Foundation
import Testing
import LabFiles
import TestSupport

/// The lab file's `graph` section: faults injected on routes for scripts' retry logic, and
/// Intune's throttling (2,000 requests and 200 writes per tenant in 20 s).
@Suite("the Graph door: injected 429 and 503, and Intune's throttling")
struct GraphThrottleTests {
    @Test func faultsStrikeTheirRoutesAsManyTimesAsTheLabFileSays() async throws {
        let running = try await RunningEndpoint.start(lab: endpointLab + """

            graph:
              faults:
                - { path: deviceManagement/windowsAutopilotDeviceIdentities, method: GET, status: 429, retryAfter: 3, count: 2 }
                - { path: /deviceManagement/importedWindowsAutopilotDeviceIdentities, status: 503 }
                - { path: organization, status: 429 }
            """)
        let token = running.endpoint.graphToken
        let identities = "/beta/deviceManagement/windowsAutopilotDeviceIdentities"
        for _ in 0..<2 {
            let refused = try await running.client.get(identities, token: token)
            #expect(refused.status == 429)
            #expect(refused.header("retry-after") == "3")
            #expect(refused.errorCode == "TooManyRequests")
        }
        #expect(try await running.client.get(identities, token: token).status == 200)
        for _ in 0..<3 {
            let unavailable = try await running.client.get("/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities", token: token)
            #expect(unavailable.status == 503)
            #expect(unavailable.header("retry-after") == nil)
        }
        let noRetryAfter = try await running.client.get("/v1.0/organization", token: token)
        #expect(noRetryAfter.status == 429)
        #expect(noRetryAfter.header("retry-after") == nil)
        try await running.stop()
    }

    @Test func faultsAreReplacedOnARunningLabThroughTheAdminAPI() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let identities = "/beta/deviceManagement/windowsAutopilotDeviceIdentities"
            #expect(try await running.client.get(identities, token: token).status == 200)
            let settings = #"{"faults": [{"path": "deviceManagement/windowsAutopilotDeviceIdentities", "status": 503, "retryAfter": 7, "count": 1}]}"#
            let put = try await running.client.request(.PUT, "/api/v1/graph/settings", body: Data(settings.utf8), token: running.adminToken)
            #expect(put.status == 200, "\(put.text)")
            let read = try await running.client.get("/api/v1/graph/settings", token: running.adminToken)
            #expect((read.json["faults"] as? [[String: Any]])?.first?["retryAfter"] as? Int == 7)
            let refused = try await running.client.get(identities, token: token)
            #expect(refused.status == 503)
            #expect(refused.header("retry-after") == "7")
            #expect(try await running.client.get(identities, token: token).status == 200)
            // The same settings again: the count starts again.
            _ = try await running.client.request(.PUT, "/api/v1/graph/settings", body: Data(settings.utf8), token: running.adminToken)
            #expect(try await running.client.get(identities, token: token).status == 503)

            let bad = try await running.client.request(.PUT, "/api/v1/graph/settings",
                                                       body: Data(#"{"faults": [{"path": "groups", "status": 500}]}"#.utf8), token: running.adminToken)
            #expect(bad.status == 422)
            #expect(bad.text.contains("500"))
            #expect(try await running.client.get("/api/v1/graph/settings", token: running.adminToken).json["faults"] as? [[String: Any]] != nil)
            #expect(try await running.client.get("/v1.0/groups", token: token).status == 200)
        }
    }

    @Test func throttlingAnswers429WithTheSecondsUntilTheWindowHasRoom() async throws {
        let clock = TestClock()
        let running = try await RunningEndpoint.start(lab: endpointLab + "\ngraph: { throttling: true }\n", clock: { clock.now })
        let token = running.endpoint.graphToken
        let id = try #require(try running.endpoint.lab.autopilot.registration(serial: "SALES-1")).id
        let update = "/beta/deviceManagement/windowsAutopilotDeviceIdentities/\(id)/updateDeviceProperties"
        for _ in 0..<200 {
            #expect(try await running.client.post(update, json: #"{"groupTag": "Sales"}"#, token: token).status == 204)
        }
        clock.advance(5)
        let write = try await running.client.post(update, json: #"{"groupTag": "Sales"}"#, token: token)
        #expect(write.status == 429)
        #expect(write.header("retry-after") == "15")
        // Reads are not writes: 1,800 more requests fill the 2,000.
        for _ in 0..<1_800 {
            #expect(try await running.client.get("/v1.0/organization", token: token).status == 200)
        }
        #expect(try await running.client.get("/v1.0/organization", token: token).status == 429)
        clock.advance(15)
        #expect(try await running.client.post(update, json: #"{"groupTag": "Sales"}"#, token: token).status == 204)
        try await running.stop()
    }

    @Test func aBadFaultIsALabFileErrorNamingItsField() throws {
        let text = endpointLab + "\ngraph:\n  faults:\n    - { path: organization, status: 500 }\n    - { status: 429 }\n"
        #expect {
            try LabFile.parse(text, file: "graph.yaml")
        } throws: { error in
            let words = "\(error)"
            return words.contains("graph.yaml:") && words.contains("500 is not 429 or 503") && words.contains("path")
        }
    }
}
