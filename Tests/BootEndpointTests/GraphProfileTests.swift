import Foundation
import Testing
import TestSupport

/// Deployment profiles and their assignments through Graph, as the WindowsAutopilotIntune
/// module's New-, Set-, Remove-AutopilotProfile and -AutopilotProfileAssignments call them.
@Suite("the Graph door: windowsAutopilotDeploymentProfiles and assignments")
struct GraphProfileTests {
    static let profiles = "/beta/deviceManagement/windowsAutopilotDeploymentProfiles"

    /// The body New-AutopilotProfile builds: hand-written JSON with "True"/"False" texts.
    static let newProfile = """
        {
            "@odata.type": "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile",
            "displayName": "Kiosk fleet",
            "description": "made through Graph",
            "language": "en-GB",
            "extractHardwareHash": "False",
            "deviceNameTemplate": "KSK-%SERIAL%",
            "deviceType": "windowsPc",
            "enableWhiteGlove": "False",
            "outOfBoxExperienceSettings": {
                "hidePrivacySettings": "True",
                "hideEULA": "True",
                "userType": "standard",
                "deviceUsageType": "singleUser",
                "skipKeyboardSelectionPage": "True",
                "hideEscapeLink": "True",
            },
        }
        """

    @Test func createReadReplaceAssignAndDeleteAsTheModuleDoes() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let lab = running.endpoint.lab
            #expect(try await running.client.get("/v1.0/deviceManagement/windowsAutopilotDeploymentProfiles", token: token).status == 404)

            let created = try await running.client.post(Self.profiles, json: Self.newProfile, token: token)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["@odata.type"] as? String == "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile")
            #expect((created.json["outOfBoxExperienceSetting"] as? [String: Any])?["eulaHidden"] as? Bool == true)
            #expect(try lab.autopilot.profile(id: id).deviceNameTemplate == "KSK-%SERIAL%")
            let list = try await running.client.get(Self.profiles, token: token).json["value"] as? [[String: Any]] ?? []
            #expect(Set(list.compactMap { $0["displayName"] as? String }) == ["Sales", "Kiosk fleet"])

            // Set-AutopilotProfile: GET, drop the read-only fields, change, PATCH the whole object.
            var object = try await running.client.get(Self.profiles + "/\(id)", token: token).json
            for field in ["id", "createdDateTime", "lastModifiedDateTime", "@odata.context", "roleScopeTagIds"] { object[field] = nil }
            object["displayName"] = "Kiosk fleet 2"
            object["@odata.type"] = "microsoft.graph.azureADWindowsAutopilotDeploymentProfile"
            let patch = try await running.client.request(.PATCH, Self.profiles + "('\(id)')",
                                                         body: try JSONSerialization.data(withJSONObject: object), token: token)
            #expect(patch.status == 200, "\(patch.text)")
            #expect(patch.json["displayName"] as? String == "Kiosk fleet 2")
            #expect(patch.json["createdDateTime"] as? String == created.json["createdDateTime"] as? String)
            #expect(patch.json["language"] as? String == "en-GB")
            let badName = try await running.client.request(.PATCH, Self.profiles + "/\(id)",
                                                           body: Data(#"{"displayName": "K", "deviceNameTemplate": "THIS-NAME-IS-FAR-TOO-LONG"}"#.utf8),
                                                           token: token)
            #expect(badName.status == 400)
            #expect(try lab.autopilot.profile(id: id).displayName == "Kiosk fleet 2")

            // Assigned to All Devices: the devices no older profile reaches get it.
            let assignment = ##"{"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}"##
            let assigned = try await running.client.post(Self.profiles + "/\(id)/assignments", json: assignment, token: token)
            #expect(assigned.status == 201, "\(assigned.text)")
            #expect(assigned.json["id"] as? String == "\(id)_adadadad-808e-44e2-905a-0b7873a8a531_0")
            let devices = try await running.client.get(Self.profiles + "/\(id)/assignedDevices", token: token)
            #expect(Set((devices.json["value"] as? [[String: Any]] ?? []).compactMap { $0["serialNumber"] as? String }) == ["LOOSE-1", "TWIN"])
            #expect(try lab.autopilot.registrationSummaries().first { $0.serialNumber == "LOOSE-1" }?.profile == "Kiosk fleet 2")

            // A second profile on All Devices is refused as Intune refuses it.
            let sales = try #require(lab.autopilot.configuration.profiles.first { $0.displayName == "Sales" }).id
            let second = try await running.client.post(Self.profiles + "/\(sales)/assignments", json: assignment, token: token)
            #expect(second.status == 400)
            #expect(((second.json["error"] as? [String: Any])?["message"] as? String)?.contains("Another Profile \(id) is already assigned to All Devices.") == true)

            // A group target by the group's id, and its exclusion refused while it is included.
            let group = try #require(lab.autopilot.configuration.groups.first).id
            let byGroup = try await running.client.post(
                Self.profiles + "/\(id)/assignments",
                json: ##"{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "\##(group)"}}"##, token: token)
            #expect(byGroup.json["id"] as? String == "\(id)_\(group)_0")
            let excluded = try await running.client.post(
                Self.profiles + "/\(id)/assignments",
                json: ##"{"target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": "\##(group)"}}"##, token: token)
            #expect(excluded.status == 400)
            let assignments = try await running.client.get(Self.profiles + "/\(id)/assignments", token: token).json["value"] as? [[String: Any]]
            #expect(assignments?.count == 2)

            // Deleting an assigned profile is refused; without assignments it goes.
            #expect(try await running.client.request(.DELETE, Self.profiles + "/\(id)", token: token).status == 400)
            for assignmentID in [assigned.json["id"], byGroup.json["id"]].compactMap({ $0 as? String }) {
                #expect(try await running.client.request(.DELETE, Self.profiles + "/\(id)/assignments/\(assignmentID)", token: token).status == 204)
            }
            #expect(try await running.client.request(.DELETE, Self.profiles + "/\(id)", token: token).status == 204)
            #expect(try await running.client.get(Self.profiles + "/\(id)", token: token).status == 404)
            #expect(try lab.autopilot.registrationSummaries().first { $0.serialNumber == "LOOSE-1" }?.profile == nil)
        }
    }

    @Test func aNeverAssignedFaultKeepsTheStatusPendingAfterTheDelay() async throws {
        let clock = TestClock()
        let running = try await startEndpoint(tenant: "assignmentDelay: 30s", clock: clock)
        let token = running.endpoint.graphToken
        func statuses() async throws -> [String: String] {
            let list = try await running.client.get("/beta/deviceManagement/windowsAutopilotDeviceIdentities", token: token)
            return Dictionary(uniqueKeysWithValues: (list.json["value"] as? [[String: Any]] ?? []).compactMap { item in
                (item["serialNumber"] as? String).map { ($0, item["deploymentProfileAssignmentStatus"] as? String ?? "") }
            })
        }
        let injected = try await running.client.post("/api/v1/devices/sales-1/faults", json: #"{"id": "stuck", "kind": "never-assigned"}"#,
                                                     token: running.adminToken)
        #expect(injected.status == 201, "\(injected.text)")
        #expect(try await statuses()["SALES-1"] == "pending")
        clock.advance(3_600)
        let later = try await statuses()
        #expect(later["SALES-1"] == "pending")
        #expect(later["SALES-2"] == "assignedInSync")
        #expect(try await running.client.request(.DELETE, "/api/v1/devices/sales-1/faults", token: running.adminToken).status == 200)
        #expect(try await statuses()["SALES-1"] == "assignedInSync")
        try await running.stop()
    }
}
