import Foundation
import Testing
import TestSupport

/// What Graph refuses and what it takes as it is, across the routes: values of the wrong type,
/// ids in any case, unknown `$filter` properties, `$top` on every list, annotations copied from a
/// GET, and Entra's answer to a member added twice.
@Suite("the Graph door: input across the routes")
struct GraphInputTests {
    static let configurations = "/beta/deviceManagement/deviceEnrollmentConfigurations"
    static let esp = "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration"

    static func message(_ answer: HTTPTestClient.Reply) -> String {
        ((answer.json["error"] as? [String: Any])?["message"] as? String) ?? ""
    }

    @Test func numbersAreWholeNumbersAndNamesStayDistinct() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let boolean = try await running.client.post(
                Self.configurations, json: #"{"@odata.type": "\#(Self.esp)", "displayName": "W", "installProgressTimeoutInMinutes": true}"#, token: token)
            #expect(boolean.status == 400)
            #expect(Self.message(boolean).contains("installProgressTimeoutInMinutes"))
            let created = try await running.client.post(
                Self.configurations, json: #"{"@odata.type": "\#(Self.esp)", "displayName": "W", "installProgressTimeoutInMinutes": 90}"#, token: token)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            for priority in ["2.5", "true", "1e300"] {
                let moved = try await running.client.post(Self.configurations + "/\(id)/setPriority", json: #"{"priority": \#(priority)}"#, token: token)
                #expect(moved.status == 400)
                #expect(Self.message(moved).contains("Edm.Int32"), "\(priority): \(moved.text)")
            }
            // Renamed onto another profile's name: refused as creating it would be.
            let renamed = try await running.client.request(.PATCH, Self.configurations + "/\(id)", body: Data(#"{"displayName": "Corporate"}"#.utf8),
                                                           token: token)
            #expect(renamed.status == 409)
            // Ids are GUIDs, matched in any case.
            #expect(try await running.client.get(Self.configurations + "/\(id.uppercased())", token: token).status == 200)
        }
    }

    @Test func idsInAnyCaseUnknownFilterPropertiesAndTopOnEveryList() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let registration = try #require(try running.endpoint.lab.autopilot.registration(serial: "LOOSE-1"))
            let identity = try await running.client.get(
                "/beta/deviceManagement/windowsAutopilotDeviceIdentities/\(registration.id.uppercased())", token: token)
            #expect(identity.status == 200)
            #expect(identity.json["serialNumber"] as? String == "LOOSE-1")

            let events = try await running.client.get("/beta/deviceManagement/autopilotEvents?$filter=nosuch%20ne%20'x'", token: token)
            #expect(events.status == 400)
            #expect(Self.message(events).contains("nosuch"))

            // $top pages a list that fits in one page; the next link goes on after the page.
            let all = try await running.client.get("/v1.0/devices", token: token)
            let count = try #require((all.json["value"] as? [[String: Any]])?.count)
            #expect(count > 2)
            var seen: [String] = []
            var next: String? = "/v1.0/devices?$top=2"
            while let link = next {
                let page = try await running.client.get(link.replacingOccurrences(of: running.client.base, with: ""), token: token)
                let items = page.json["value"] as? [[String: Any]] ?? []
                #expect(items.count <= 2)
                #expect(page.json["@odata.count"] as? Int == count)
                seen += items.compactMap { $0["id"] as? String }
                next = page.json["@odata.nextLink"] as? String
            }
            #expect(seen == (all.json["value"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })

            let profiles = try await running.client.get(
                "/beta/deviceManagement/windowsAutopilotDeploymentProfiles?$filter=displayName%20eq%20'nothing'", token: token)
            #expect((profiles.json["value"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func annotationsCopiedFromAGetAreIgnoredAndAMemberAddedTwiceIsRefused() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let profiles = "/beta/deviceManagement/windowsAutopilotDeploymentProfiles"
            let id = try #require(running.endpoint.lab.autopilot.configuration.profiles.first?.id)
            var object = try await running.client.get(profiles + "/\(id)", token: token).json
            #expect(object["@odata.context"] != nil)
            for field in ["id", "createdDateTime", "lastModifiedDateTime"] { object[field] = nil }
            object["description"] = "as read, annotations and all"
            let patched = try await running.client.request(.PATCH, profiles + "/\(id)", body: try JSONSerialization.data(withJSONObject: object),
                                                           token: token)
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched.json["description"] as? String == "as read, annotations and all")

            let group = try await running.client.post("/beta/groups", json: #"{"displayName": "Pilot"}"#, token: token)
            let groupID = try #require(group.json["id"] as? String)
            let device = try #require((try await running.client.get("/beta/devices", token: token).json["value"] as? [[String: Any]])?.first?["id"] as? String)
            let reference = #"{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/\#(device)"}"#
            #expect(try await running.client.post("/beta/groups/\(groupID)/members/$ref", json: reference, token: token).status == 204)
            let twice = try await running.client.post("/beta/groups/\(groupID)/members/$ref", json: reference, token: token)
            #expect(twice.status == 400)
            #expect(Self.message(twice).contains("already exist"))
            let sales = try #require(running.endpoint.lab.autopilot.configuration.groups.first { $0.displayName == "Sales devices" }?.id)
            let dynamic = try await running.client.post("/beta/groups/\(sales)/members/$ref", json: reference, token: token)
            #expect(dynamic.status == 400)
            #expect(Self.message(dynamic).contains("dynamic"))
        }
    }
}
