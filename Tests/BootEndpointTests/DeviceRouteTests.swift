import Foundation
import Testing
import DeviceProtocol
import TestSupport

func eventJSON(_ seq: Int, phase: String = "network", step: String = "dhcp", status: String = "completed",
               message: String? = nil) -> String {
    let text = message.map { #","message":"\#($0)""# } ?? ""
    return #"{"seq":\#(seq),"time":"2026-11-25T10:00:\#(String(format: "%02d", seq % 60)).000Z","phase":"\#(phase)","step":"\#(step)","status":"\#(status)"\#(text)}"#
}

func batch(_ device: String, _ events: [String]) -> String {
    #"{"device":"\#(device)","events":[\#(events.joined(separator: ","))]}"#
}

@Suite("device events and actions")
struct DeviceRouteTests {
    @Test func eventsAreStoredOnceInOrder() async throws {
        try await withEndpoint { running in
            let token = try running.token(of: "sales-1")
            let client = running.client
            let first = try await client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(1), eventJSON(2)]), token: token)
            #expect(first.status == 200)
            #expect(first.json["stored"] as? Int == 2)
            #expect(first.json["lastSeq"] as? Int == 2)

            // The response was lost and the device retries: stored once.
            let retry = try await client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(2), eventJSON(3)]), token: token)
            #expect(retry.json["stored"] as? Int == 1)
            #expect(retry.json["duplicates"] as? Int == 1)
            #expect(try running.endpoint.lab.store.events(of: "sales-1").map(\.seq) == [1, 2, 3])

            // A gap is refused, and nothing of that batch is stored.
            let gap = try await client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(4), eventJSON(6)]), token: token)
            #expect(gap.status == 409)
            #expect(gap.errorCode == "out-of-order")
            #expect(((gap.json["error"] as? [String: Any])?["details"] as? [String: String])?["expectedSeq"] == "5")
            #expect(try running.endpoint.lab.store.events(of: "sales-1").count == 3)

            // The same seq with other content is a conflict, not a retry.
            let changed = try await client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(3, step: "other")]), token: token)
            #expect(changed.status == 409)
            #expect(changed.errorCode == "conflicting-event")
        }
    }

    @Test func aDeviceMayOnlyReportForItself() async throws {
        try await withEndpoint { running in
            let client = running.client
            let other = try running.token(of: "sales-2")
            #expect(try await client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(1)])).status == 401)
            let forged = try await client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(1)]), token: other)
            #expect(forged.status == 403)
            #expect(forged.errorCode == "not-this-device")
            let unknown = try await client.post("/oobe/v1/events", json: batch("ghost", [eventJSON(1)]), token: other)
            #expect(unknown.status == 404)
            #expect(try running.endpoint.lab.store.events(of: "sales-1").isEmpty)
        }
    }

    @Test func malformedRequestsGetAReason() async throws {
        try await withEndpoint { running in
            let client = running.client
            let token = try running.token(of: "sales-1")
            let notJSON = try await client.post("/oobe/v1/events", json: "{not json", token: token)
            #expect(notJSON.status == 400)
            let badPhase = try await client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(1, phase: "moon")]), token: token)
            #expect(badPhase.status == 400)
            #expect((badPhase.json["error"] as? [String: Any])?["field"] as? String == "events[0].phase")
            let missing = try await client.post("/oobe/v1/events", json: #"{"device":"sales-1"}"#, token: token)
            #expect((missing.json["error"] as? [String: Any])?["message"] as? String == "the field 'events' is missing")
            let huge = String(repeating: "x", count: 2 << 20)
            let tooLarge = try await client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(1, message: huge)]), token: token)
            #expect(tooLarge.status == 413)
            #expect(try await client.post("/oobe/v1/events", json: batch("sales-1", []), token: token).status == 400)
        }
    }

    @Test func lifecycleFollowsEventsAndFailuresKeepTheirCode() async throws {
        try await withEndpoint { running in
            let token = try running.token(of: "loose")
            let failed = #"{"seq":1,"time":"2026-11-25T10:00:00.000Z","phase":"esp-device-setup","step":"outcome","status":"failed","errorCode":2164483330}"#
            _ = try await running.client.post("/oobe/v1/events", json: batch("loose", [failed]), token: token)
            let device = try #require(try running.endpoint.lab.store.device(named: "loose"))
            #expect(device.lifecycle == .failed)
            #expect(device.errorCode.map(ErrorCode.text) == "0x81036502")
            let listed = try await running.client.get("/api/v1/devices/loose", token: running.adminToken)
            #expect(listed.json["errorCode"] as? String == "0x81036502")
            #expect(listed.json["lifecycle"] as? String == "failed")
        }
    }

    @Test func queuedActionsComeBeforeTheDriversAnswer() async throws {
        try await withEndpoint { running in
            let client = running.client
            let token = try running.token(of: "sales-2")
            let ask = #"{"device":"sales-2","phase":"desktop","step":"idle"}"#
            #expect(try await client.post("/oobe/v1/actions/next?device=sales-2", json: ask, token: token).json["action"] as? String == "continue")
            let queued = try await client.post("/api/v1/devices/sales-2/actions", json: #"{"action":"reset","remote":true}"#,
                                               token: running.adminToken)
            #expect(queued.status == 202)
            let next = try await client.post("/oobe/v1/actions/next?device=sales-2", json: ask, token: token)
            #expect(try ProtocolJSON.decoder().decode(NextAction.self, from: next.body) == .reset(remote: true))
            #expect(try await client.post("/oobe/v1/actions/next", json: ask, token: token).json["action"] as? String == "continue")
            let mismatch = try await client.post("/oobe/v1/actions/next?device=sales-1", json: ask, token: token)
            #expect(mismatch.status == 400)
        }
    }

    @Test func theEnrollmentPolicyTracksWhatReachesTheDevice() async throws {
        try await withEndpoint { running in
            let token = try running.token(of: "sales-1")
            let reply = try await running.client.get("/mdm/v1/enrollment?device=sales-1", token: token)
            #expect(reply.status == 200)
            let policy = try ProtocolJSON.decoder().decode(EnrollmentPolicy.self, from: reply.body)
            #expect(policy.espName == "Corporate")
            #expect(policy.allowResetOnFailure)
            #expect(policy.timeoutMinutes == 60)
            #expect(policy.deviceItems.map(\.id) == ["wi-fi", "company-portal"])
            #expect(policy.deviceItems.allSatisfy { $0.blocking })
            #expect(policy.userItems.map(\.id) == ["teams"])
            #expect(policy.userItems.first?.blocking == false)  // not a selected blocking app
            let unregistered = try await running.client.get("/mdm/v1/enrollment?device=unregistered",
                                                            token: try running.token(of: "unregistered"))
            #expect(unregistered.status == 409)
        }
    }
}

@Suite("faults through the admin API")
struct FaultRouteTests {
    @Test func aRunningLabTakesFaultsAndDevicesFetchTheirOwn() async throws {
        try await withEndpoint { running in
            let client = running.client
            let admin = running.adminToken
            let added = try await client.post("/api/v1/devices/sales-1/faults", json: """
                {"id":"timeout","kind":"hang","phase":"esp-device-setup","step":"app:company-portal","once":false}
                """, token: admin)
            #expect(added.status == 201)
            #expect(added.json["id"] as? String == "api-timeout")
            let own = try await client.get("/oobe/v1/faults?device=sales-1", token: try running.token(of: "sales-1"))
            let faults = try ProtocolJSON.decoder().decode([Fault].self, from: own.body)
            #expect(faults.map(\.kind) == [.hang])
            // Another device cannot read them, nor has any.
            #expect(try await client.get("/oobe/v1/faults?device=sales-1", token: try running.token(of: "sales-2")).status == 403)
            #expect(try await client.get("/oobe/v1/faults?device=sales-2", token: try running.token(of: "sales-2")).jsonArray.isEmpty)

            // "Already registered to another tenant": the registration moves.
            _ = try await client.post("/api/v1/devices/sales-2/faults", json: #"{"id":"x","kind":"other-tenant","once":false}"#, token: admin)
            #expect(try await client.get("/autopilot/v1/profile?serial=SALES-2").json["outcome"] as? String == "other-tenant")

            let cleared = try await client.request(.DELETE, "/api/v1/devices/sales-1/faults", token: admin)
            #expect(cleared.json["cleared"] as? Int == 1)
            #expect(try await client.post("/api/v1/devices/sales-1/faults", json: #"{"kind":"explode"}"#, token: admin).status == 400)
        }
    }
}
