import Foundation
import Testing
import TestSupport

/// Enrollment Status Page profiles through Graph, as Add-, Set-, Remove-EnrollmentStatusPage and
/// Set-EnrollmentStatusPageAssignment call them.
@Suite("the Graph door: deviceEnrollmentConfigurations (the ESP)")
struct GraphEnrollmentStatusPageTests {
    static let configurations = "/beta/deviceManagement/deviceEnrollmentConfigurations"

    @Test func theDefaultComesFirstAndAProfileIsCreatedChangedAssignedOrderedAndDeleted() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let lab = running.endpoint.lab
            let list = try await running.client.get(Self.configurations, token: token).json["value"] as? [[String: Any]] ?? []
            #expect(list.first?["id"] as? String == "6b1f3c2e-8d4a-4f7b-9c1e-2a5d7e9f0b13_DefaultWindows10EnrollmentCompletionPageConfiguration")
            #expect(list.first?["priority"] as? Int == 0)
            #expect(list.first?["displayName"] as? String == "All users and all devices")
            #expect(list.map { $0["@odata.type"] as? String }.allSatisfy { $0 == "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration" })
            #expect(list.compactMap { $0["displayName"] as? String }.contains("Corporate"))

            let created = try await running.client.post(Self.configurations, json: """
                {"@odata.type": "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration", "displayName": "Kiosk ESP",
                 "showInstallationProgress": true, "installProgressTimeoutInMinutes": 45, "allowDeviceResetOnInstallFailure": "True"}
                """, token: token)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["priority"] as? Int == 2)
            #expect(try lab.autopilot.enrollmentStatusPage(id: id).allowDeviceResetOnInstallFailure)

            let patched = try await running.client.request(.PATCH, Self.configurations + "/\(id)",
                                                           body: Data(#"{"installProgressTimeoutInMinutes": 90, "customErrorMessage": "Call IT"}"#.utf8),
                                                           token: token)
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched.json["installProgressTimeoutInMinutes"] as? Int == 90)
            #expect(patched.json["displayName"] as? String == "Kiosk ESP")
            let bad = try await running.client.request(.PATCH, Self.configurations + "/\(id)",
                                                       body: Data(#"{"installProgressTimeoutInMinutes": 0}"#.utf8), token: token)
            #expect(bad.status == 400)
            #expect(try lab.autopilot.enrollmentStatusPage(id: id).installProgressTimeoutInMinutes == 90)

            let group = try #require(lab.autopilot.configuration.groups.first).id
            let assign = try await running.client.post(Self.configurations + "/\(id)/assign", json: """
                {"enrollmentConfigurationAssignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "\(group)"}}]}
                """, token: token)
            #expect(assign.status == 204, "\(assign.text)")
            #expect(try lab.autopilot.enrollmentStatusPage(id: id).assignments == ["Sales devices"])
            let priority = try await running.client.post(Self.configurations + "/\(id)/setPriority", json: #"{"priority": 1}"#, token: token)
            #expect(priority.status == 204)
            let ordered = try await running.client.get(Self.configurations, token: token).json["value"] as? [[String: Any]] ?? []
            #expect(ordered.compactMap { $0["displayName"] as? String } == ["All users and all devices", "Kiosk ESP", "Corporate"])

            let defaultID = try #require(list.first?["id"] as? String)
            #expect(try await running.client.request(.DELETE, Self.configurations + "/\(defaultID)", token: token).status == 400)
            #expect(try await running.client.request(.DELETE, Self.configurations + "/\(id)", token: token).status == 204)
            #expect(try await running.client.get(Self.configurations + "/\(id)", token: token).status == 404)
        }
    }
}
