import Foundation
import Testing
import TestSupport

/// Entra groups and devices through Graph, as get-windowsautopilotinfo -Online -AddToGroup uses
/// them: the group looked up by name, the device by its deviceId, added with members/$ref, and
/// then reached by the profile assigned to the group.
@Suite("the Graph door: groups, devices and members")
struct GraphDirectoryTests {
    @Test func aDeviceAddedToAGroupGetsTheGroupsProfile() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let lab = running.endpoint.lab
            let sales = try await running.client.get("/beta/groups?$filter=displayName%20eq%20'Sales%20devices'", token: token)
            let group = try #require((sales.json["value"] as? [[String: Any]])?.first)
            #expect(group["groupTypes"] as? [String] == ["DynamicMembership"])
            #expect((group["membershipRule"] as? String)?.contains("[OrderID]:Sales") == true)

            let badRule = try await running.client.post("/beta/groups", json: """
                {"displayName": "Broken", "mailEnabled": false, "mailNickname": "Broken", "securityEnabled": true,
                 "groupTypes": ["DynamicMembership"], "membershipRule": "(device.devicePhysicalIds -any (_ -eq \\"x\\")",
                 "membershipRuleProcessingState": "On"}
                """, token: token)
            #expect(badRule.status == 400)
            #expect(((badRule.json["error"] as? [String: Any])?["message"] as? String)?.contains("column") == true)

            let created = try await running.client.post("/beta/groups", json: #"{"displayName": "Pilot", "mailEnabled": false, "mailNickname": "Pilot", "securityEnabled": true}"#,
                                                        token: token)
            #expect(created.status == 201, "\(created.text)")
            let pilot = try #require(created.json["id"] as? String)

            // The identity's Entra device, by deviceId; its physical ids carry the ZTDId.
            let registration = try #require(try lab.autopilot.registration(serial: "LOOSE-1"))
            let identity = try await running.client.get("/beta/deviceManagement/windowsAutopilotDeviceIdentities/\(registration.id)", token: token)
            let deviceID = try #require(identity.json["azureActiveDirectoryDeviceId"] as? String)
            let devices = try await running.client.get("/v1.0/devices?$filter=deviceId%20eq%20'\(deviceID)'", token: token)
            let device = try #require((devices.json["value"] as? [[String: Any]])?.first)
            #expect((device["physicalIds"] as? [String])?.contains("[ZTDId]:\(registration.id)") == true)
            let objectID = try #require(device["id"] as? String)

            let member = try await running.client.post("/beta/groups/\(pilot)/members/$ref",
                                                       json: #"{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/\#(objectID)"}"#,
                                                       token: token)
            #expect(member.status == 204, "\(member.text)")
            let salesID = try #require(group["id"] as? String)
            let toDynamic = try await running.client.post("/beta/groups/\(salesID)/members/$ref",
                                                          json: #"{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/\#(objectID)"}"#,
                                                          token: token)
            #expect(toDynamic.status == 400)

            let profile = try #require(lab.autopilot.configuration.profiles.first { $0.displayName == "Sales" }).id
            let assigned = try await running.client.post(
                "/beta/deviceManagement/windowsAutopilotDeploymentProfiles/\(profile)/assignments",
                json: ##"{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "\##(pilot)"}}"##, token: token)
            #expect(assigned.status == 201)
            #expect(try lab.autopilot.registrationSummaries().first { $0.serialNumber == "LOOSE-1" }?.profile == "Sales")

            // Out of the group again, the device loses the group's profile.
            let removed = try await running.client.request(.DELETE, "/beta/groups/\(pilot)/members/\(objectID)/$ref", token: token)
            #expect(removed.status == 204, "\(removed.text)")
            #expect(try lab.autopilot.registrationSummaries().first { $0.serialNumber == "LOOSE-1" }?.profile == nil)
            #expect(try await running.client.post("/beta/groups/\(pilot)/members/$ref",
                                                  json: #"{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/\#(objectID)"}"#,
                                                  token: token).status == 204)

            // Deleting the group deletes the assignment that named it, as Intune does.
            #expect(try await running.client.request(.DELETE, "/v1.0/groups/\(pilot)", token: token).status == 204)
            #expect(try await running.client.get("/beta/groups/\(pilot)", token: token).status == 404)
            #expect(lab.autopilot.configuration.profiles.first { $0.id == profile }?.assignments == ["Sales devices"])
            #expect(try lab.autopilot.registrationSummaries().first { $0.serialNumber == "LOOSE-1" }?.profile == nil)
            #expect(try await running.client.request(.DELETE, "/v1.0/groups/\(pilot)", token: token).status == 404)
        }
    }
}
