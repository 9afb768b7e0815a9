import Foundation
import Testing
import TestSupport

@Suite("the admin API")
struct AdminRouteTests {
    @Test func everyAdminRouteNeedsTheToken() async throws {
        try await withEndpoint { running in
            for path in ["/api/v1/devices", "/api/v1/registry", "/api/v1/groups", "/api/v1/profiles", "/api/v1/discovered",
                         "/api/v1/conflicts", "/api/v1/assignments", "/api/v1/registry/export"] {
                let without = try await running.client.get(path)
                #expect(without.status == 401, "\(path)")
                #expect(without.errorCode == "missing-token")
                let wrong = try await running.client.get(path, token: String(repeating: "0", count: 64))
                #expect(wrong.status == 401)
                #expect(wrong.errorCode == "bad-token")
                #expect(try await running.client.get(path, token: running.adminToken).status == 200, "\(path)")
            }
            let file = running.stateRoot.appendingPathComponent("http/admin.token")
            #expect(try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .newlines) == running.adminToken)
            let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
            #expect(permissions?.intValue == 0o600)
        }
    }

    @Test func devicesTimelineAndAssignments() async throws {
        try await withEndpoint { running in
            let token = running.adminToken
            let devices = try await running.client.get("/api/v1/devices", token: token).jsonArray
            #expect(devices.count == 6)
            let sales = try #require(devices.first { $0["name"] as? String == "sales-1" })
            #expect(sales["lifecycle"] as? String == "factory")
            #expect(sales["bootMode"] as? String == "oobe")
            let registration = try #require(sales["registration"] as? [String: Any])
            #expect(registration["profile"] as? String == "Sales")
            #expect(registration["groups"] as? [String] == ["Sales devices"])
            #expect(registration["assignmentStatus"] as? String == "assigned")
            #expect((devices.first { $0["name"] as? String == "unregistered" })?["registration"] == nil)

            _ = try await running.client.post("/oobe/v1/events", json: batch("sales-1", [eventJSON(1), eventJSON(2)]),
                                              token: try running.token(of: "sales-1"))
            let timeline = try await running.client.get("/api/v1/devices/sales-1/timeline", token: token).jsonArray
            #expect(timeline.map { $0["seq"] as? Int } == [1, 2])
            #expect(try await running.client.get("/api/v1/devices/nope", token: token).status == 404)
        }
    }

    @Test func registryImportExportAndDeregister() async throws {
        try await withEndpoint { running in
            let token = running.adminToken
            let lab = running.endpoint.lab
            let device = lab.labFile.devices.first { $0.name == "unregistered" }!
            let csv = "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\nNEW-1,,\(lab.labFile.hardwareHash(of: device)),Sales\r\n"
            let imported = try await running.client.request(.POST, "/api/v1/registry/import", body: Data(csv.utf8),
                                                            headers: ["Content-Type": "text/csv"], token: token)
            #expect(imported.status == 201)
            let again = try await running.client.request(.POST, "/api/v1/registry/import", body: Data(csv.utf8), token: token)
            #expect(again.status == 422)
            #expect(again.errorCode == "csv-rejected")
            #expect((again.json["error"] as? [String: Any])?["message"] as? String ?? "" != "")

            let export = try await running.client.get("/api/v1/registry/export", token: token)
            #expect(export.header("content-type")?.hasPrefix("text/csv") == true)
            #expect(export.text.hasPrefix("Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User\r\n"))
            #expect(export.text.contains("NEW-1,,"))

            #expect(try await running.client.request(.DELETE, "/api/v1/registry/NEW-1", token: token).status == 204)
            #expect(try await running.client.get("/autopilot/v1/profile?serial=NEW-1").json["eventId"] as? Int == 807)
            #expect(try await running.client.request(.DELETE, "/api/v1/registry/NEW-1", token: token).status == 404)
        }
    }

    @Test func groupsAndProfilesChangeAssignmentAndPersist() async throws {
        let running = try await RunningEndpoint.start()
        let token = running.adminToken
        let group = try await running.client.post("/api/v1/groups",
            json: #"{"name":"Loose devices","rule":"device.devicePhysicalIds -any (_ -eq \"[OrderID]:Loose\")"}"#, token: token)
        #expect(group.status == 201)
        let badRule = try await running.client.post("/api/v1/groups", json: #"{"name":"Bad","rule":"device.nothing -eq \"x\""}"#,
                                                    token: token)
        #expect(badRule.status == 422)
        #expect(((badRule.json["error"] as? [String: Any])?["details"] as? [String: String])?["column"] == "1")

        let profile = """
            {"displayName": "Everyone else", "deviceNameTemplate": "LAB-%SERIAL%", "assignments": ["All devices"]}
            """
        #expect(try await running.client.post("/api/v1/profiles", json: profile, token: token).status == 201)
        #expect(try await running.client.get("/autopilot/v1/profile?serial=LOOSE-1").json["outcome"] as? String == "assigned")
        let invalid = try await running.client.post("/api/v1/profiles", json: #"{"displayName":"X","deviceNameTemplate":"has space"}"#,
                                                    token: token)
        #expect(invalid.status == 422)
        #expect(invalid.errorCode == "bad-profile")
        // JSON's escaped surrogate pair is the character; a null optional field is absent.
        let kiosk = #"{"displayName": "Kiosk \ud83d\ude00", "description": null}"#
        #expect(try await running.client.post("/api/v1/profiles", json: kiosk, token: token).status == 201)
        try await running.stop()

        // The change survives a restart of the controller on the same state folder.
        let restarted = try await RunningEndpoint.start(stateRoot: running.stateRoot)
        defer { Task { try await restarted.stop() } }
        #expect(try await restarted.client.get("/autopilot/v1/profile?serial=LOOSE-1").json["outcome"] as? String == "assigned")
        #expect(try await restarted.client.get("/api/v1/groups", token: restarted.adminToken).jsonArray.count == 2)
        #expect(restarted.adminToken == token)
        let stored = try await restarted.client.get("/api/v1/profiles", token: token).jsonArray
            .first { $0["displayName"] as? String == "Kiosk \u{1F600}" }
        #expect(stored?["description"] as? String == "")
    }

    @Test func repurposeChangesTheGroupTagAndQueuesAWipe() async throws {
        try await withEndpoint { running in
            let reply = try await running.client.post("/api/v1/devices/loose/actions",
                                                      json: #"{"action":"repurpose","groupTag":"Sales"}"#, token: running.adminToken)
            #expect(reply.status == 202)
            #expect(try running.endpoint.lab.store.registeredDevices(serial: "LOOSE-1").first?.groupTag == "Sales")
            #expect(try await running.client.get("/autopilot/v1/profile?serial=LOOSE-1").json["outcome"] as? String == "assigned")
            let bad = try await running.client.post("/api/v1/devices/loose/actions", json: #"{"action":"explode"}"#,
                                                    token: running.adminToken)
            #expect(bad.status == 400)
        }
    }

    @Test func aRegistrationIsUpdatedInPlace() async throws {
        try await withEndpoint { running in
            let token = running.adminToken
            let patch = { (serial: String, body: String) in
                try await running.client.request(.PATCH, "/api/v1/registry/\(serial)", body: Data(body.utf8),
                                                 headers: ["Content-Type": "application/json"], token: token)
            }
            let updated = try await patch("LOOSE-1", #"{"groupTag":"Sales","displayName":"FRONT-DESK"}"#)
            #expect(updated.status == 200)
            #expect(updated.jsonArray.first?["displayName"] as? String == "FRONT-DESK")
            let loose = try await running.client.get("/api/v1/devices/loose", token: token).json
            let registration = loose["registration"] as? [String: Any]
            #expect(registration?["profile"] as? String == "Sales")
            #expect(loose["outcome"] as? String == "factory")
            let bad = try await patch("LOOSE-1", #"{"groupTag":"a,b"}"#)
            #expect(bad.status == 400)
            #expect(bad.errorCode == "bad-request")
            #expect((bad.json["error"] as? [String: Any])?["field"] as? String == "groupTag")
            #expect(try await patch("NOBODY", #"{"groupTag":"Sales"}"#).status == 404)
        }
    }

    @Test func aFlowIsParsedBeforeAnythingRuns() async throws {
        try await withEndpoint { running in
            // This endpoint hosts no devices; what cannot be parsed is refused before that matters.
            let token = running.adminToken
            let teleport = try await running.client.post("/api/v1/devices/loose/flows/teleport", json: "{}", token: token)
            #expect(teleport.status == 422)
            #expect(teleport.errorCode == "bad-flow")
            let wipe = try await running.client.post("/api/v1/devices/loose/flows/repurpose", json: #"{"wipe":"everything"}"#, token: token)
            #expect(wipe.status == 422)
            #expect((wipe.json["error"] as? [String: Any])?["field"] as? String == "wipe")
            let hosted = try await running.client.post("/api/v1/devices/loose/flows/repurpose", json: #"{"wipe":"full"}"#, token: token)
            #expect(hosted.status == 409)
            #expect(hosted.errorCode == "no-devices-hosted")
            #expect(try await running.client.post("/api/v1/devices/nobody/flows/reset", json: "{}", token: token).status == 404)
        }
    }

    @Test func metricsAndTheOpenAPIDocument() async throws {
        try await withEndpoint { running in
            _ = try await running.client.get("/boot.ipxe")
            _ = try await running.client.get("/api/v1/devices")
            let metrics = try await running.client.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"pxelab_http_requests_total{route="/boot.ipxe",method="GET",status="200"} 1"#))
            #expect(metrics.text.contains(#"pxelab_http_requests_total{route="/api/v1/devices",method="GET",status="401"} 1"#))
            #expect(metrics.text.contains(#"pxelab_devices{state="factory"} 6"#))
            let document = try await running.client.get("/openapi.yaml")
            #expect(document.status == 200)
            let committed = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../Sources/BootEndpoint/openapi.yaml"))
            #expect(document.body == committed)
        }
    }
}
