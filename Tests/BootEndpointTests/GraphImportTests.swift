import Foundation
import Testing
import TestSupport

/// Hardware hashes imported through Graph (`importedWindowsAutopilotDeviceIdentities`), as
/// Add-AutopilotImportedDevice and the SDK's bulk import send them, processed by the CSV
/// import's rules after the tenant's import delay.
@Suite("the Graph door: importedWindowsAutopilotDeviceIdentities")
struct GraphImportTests {
    static let imports = "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities"

    static func hash(_ running: RunningEndpoint, of name: String) -> String {
        let lab = running.endpoint.lab
        return lab.labFile.hardwareHash(of: lab.labFile.devices.first { $0.name == name }!)
    }

    static func state(_ object: [String: Any]) -> [String: Any] { object["state"] as? [String: Any] ?? [:] }

    @Test func anUploadIsUnknownThenCompleteAndTheDeviceIsRegisteredWithItsTag() async throws {
        let clock = TestClock()
        let running = try await startEndpoint(tenant: "importDelay: 75s", clock: clock)
        let token = running.endpoint.graphToken
        // As Add-AutopilotImportedDevice sends it.
        let body = """
            {"@odata.type":"#microsoft.graph.importedWindowsAutopilotDeviceIdentity","groupTag":"Sales","serialNumber":"NEW-1",\
            "productKey":"","hardwareIdentifier":"\(Self.hash(running, of: "unregistered"))","assignedUserPrincipalName":"",\
            "state":{"@odata.type":"microsoft.graph.importedWindowsAutopilotDeviceIdentityState","deviceImportStatus":"pending",\
            "deviceRegistrationId":"","deviceErrorCode":0,"deviceErrorName":""}}
            """
        let created = try await running.client.post(Self.imports, json: body, token: token)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        #expect(Self.state(created.json)["deviceImportStatus"] as? String == "unknown")
        #expect(created.json["hardwareIdentifier"] as? String == "")
        #expect(created.json["productKey"] as? String == id)
        #expect(created.json["importId"] as? String == id)

        clock.advance(74)
        let early = try await running.client.get(Self.imports + "/\(id)", token: token)
        #expect(Self.state(early.json)["deviceImportStatus"] as? String == "unknown")
        #expect(try running.endpoint.lab.autopilot.registration(serial: "NEW-1") == nil)

        clock.advance(1)
        let list = try await running.client.get(Self.imports, token: token)
        let row = try #require((list.json["value"] as? [[String: Any]])?.first { $0["id"] as? String == id })
        #expect(Self.state(row)["deviceImportStatus"] as? String == "complete")
        #expect(Self.state(row)["deviceErrorCode"] as? Int == 0)
        #expect(Self.state(row)["deviceErrorName"] as? String == "None")
        let registrationID = try #require(Self.state(row)["deviceRegistrationId"] as? String)
        let identity = try await running.client.get(GraphRouteTests.identities + "/\(registrationID)", token: token)
        #expect(identity.status == 200)
        #expect(identity.json["serialNumber"] as? String == "NEW-1")
        #expect(identity.json["groupTag"] as? String == "Sales")
        #expect(identity.json["manufacturer"] as? String == "Contoso")
        // The device now gets the Sales profile when it boots.
        let profile = try await running.client.get("/autopilot/v1/profile?serial=NEW-1")
        #expect(profile.json["outcome"] as? String != "not-registered")

        // Deleting the upload leaves the registration.
        #expect(try await running.client.request(.DELETE, Self.imports + "/\(id)", token: token).status == 204)
        #expect(try await running.client.get(Self.imports + "/\(id)", token: token).status == 404)
        #expect(try running.endpoint.lab.autopilot.registration(serial: "NEW-1") != nil)
        try await running.stop()
    }

    @Test func theBulkImportReportsIntunesErrorsRowByRow() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            try running.endpoint.lab.autopilot.moveToOtherTenant(serial: "LOOSE-1")
            let new = Self.hash(running, of: "unregistered")
            func row(_ serial: String, _ hash: String) -> String {
                #"{serialNumber: "\#(serial)", hardwareIdentifier: "\#(hash)", groupTag: "", }"#
            }
            let body = #"{"importedWindowsAutopilotDeviceIdentities": ["#
                + [row("SALES-1", Self.hash(running, of: "sales-1")), row("LOOSE-1", Self.hash(running, of: "loose")),
                   row("BAD-1", "bm90IGEgaGFzaA=="), row("DUP-1", new), row("DUP-2", new), row("", "")].joined(separator: ",") + "]}"
            let reply = try await running.client.post(Self.imports + "/import", json: body, token: token)
            #expect(reply.status == 200, "\(reply.text)")
            let rows = try #require(reply.json["value"] as? [[String: Any]])
            #expect(rows.count == 6)
            #expect(Set(rows.compactMap { $0["importId"] as? String }).count == 1)

            let processed = try await running.client.get(Self.imports, token: token).json["value"] as? [[String: Any]] ?? []
            func result(_ serial: String) -> (String?, Int?, String?) {
                let state = Self.state(processed.first { $0["serialNumber"] as? String == serial } ?? [:])
                return (state["deviceImportStatus"] as? String, state["deviceErrorCode"] as? Int, state["deviceErrorName"] as? String)
            }
            #expect(result("SALES-1") == ("error", 806, "ZtdDeviceAlreadyAssigned"))
            #expect(result("LOOSE-1") == ("error", 808, "ZtdDeviceAssignedToOtherTenant"))
            #expect(result("BAD-1") == ("error", 802, "InvalidZtdHardwareHash"))
            #expect(result("DUP-1").2 == "ZtdDeviceDuplicated")
            #expect(result("DUP-2").2 == "ZtdDeviceDuplicated")
            #expect(result("") == ("error", 803, "MissingZtdSerialNumberAndProductKey"))
            #expect(try running.endpoint.lab.autopilot.registration(serial: "DUP-1") == nil)

            let filtered = try await running.client.get(Self.imports + "?$filter=serialNumber%20eq%20'BAD-1'", token: token)
            #expect((filtered.json["value"] as? [[String: Any]])?.count == 1)

            let tooMany = #"{"importedWindowsAutopilotDeviceIdentities": ["#
                + Array(repeating: row("X", new), count: 501).joined(separator: ",") + "]}"
            let refused = try await running.client.post(Self.imports + "/import", json: tooMany, token: token)
            #expect(refused.status == 400)
            let unknownField = try await running.client.post(Self.imports, json: #"{"serialNumber": "Y", "colour": "red"}"#, token: token)
            #expect(unknownField.status == 400)
            #expect(((unknownField.json["error"] as? [String: Any])?["message"] as? String)?.contains("colour") == true)
        }
    }
}
