import Foundation
import Testing
import DeviceProtocol
import TestSupport

/// The endpoint lab with a Secure Boot compliance policy and Conditional Access requiring it.
let complianceEndpointLab = endpointLab + """

compliance:
  - { displayName: Windows 11 baseline, description: Secure Boot on, secureBootEnabled: true }
conditionalAccess:
  - { displayName: Require compliant device, grantControls: { builtInControls: [compliantDevice] } }
"""

/// Compliance through the device protocol (the health a device reports when it enrolls) and
/// through Graph (`complianceState`, `deviceCompliancePolicies`).
@Suite("compliance: enrollment health, the ESP's Conditional Access and Graph")
struct GraphComplianceTests {
    static let policies = "/beta/deviceManagement/deviceCompliancePolicies"

    private func enroll(_ device: String, secureBoot: Bool, on running: RunningEndpoint) async throws -> EnrollmentReceipt {
        let body = #"{"device": "\#(device)", "mode": "user-driven", "health": {"secureBoot": \#(secureBoot), "tpmVersion": "2.0"}}"#
        let reply = try await running.client.post("/mdm/v1/enroll", json: body, token: try running.token(of: device))
        #expect(reply.status == 200, "\(reply.text)")
        return try ProtocolJSON.decoder().decode(EnrollmentReceipt.self, from: reply.body)
    }

    private func policy(of device: String, on running: RunningEndpoint) async throws -> EnrollmentPolicy {
        let reply = try await running.client.get("/mdm/v1/enrollment?device=\(device)", token: try running.token(of: device))
        return try ProtocolJSON.decoder().decode(EnrollmentPolicy.self, from: reply.body)
    }

    @Test func theReportedHealthDecidesComplianceAndConditionalAccess() async throws {
        try await withEndpoint(lab: complianceEndpointLab) { running in
            #expect(try await policy(of: "sales-1", on: running).conditionalAccessBlock == nil, "not enrolled: nothing evaluated yet")

            let open = try await enroll("sales-1", secureBoot: false, on: running)
            #expect(open.compliance == DeviceCompliance(state: .noncompliant, reasons: ["Secure Boot is off (required by 'Windows 11 baseline')"]))
            let secure = try await enroll("sales-2", secureBoot: true, on: running)
            #expect(secure.compliance == DeviceCompliance(state: .compliant))
            #expect(try await policy(of: "sales-1", on: running).conditionalAccessBlock?.policy == "Require compliant device")
            #expect(try await policy(of: "sales-2", on: running).conditionalAccessBlock == nil)

            // An agent older than compliance reports no health: unknown, and Conditional Access
            // (which wants compliant) blocks its user as well.
            let old = try await running.client.post("/mdm/v1/enroll", json: #"{"device": "loose", "mode": "user-driven"}"#,
                                                    token: try running.token(of: "loose"))
            #expect(try ProtocolJSON.decoder().decode(EnrollmentReceipt.self, from: old.body).compliance == DeviceCompliance(state: .unknown))
            #expect(try await policy(of: "loose", on: running).conditionalAccessBlock?.compliance.state == .unknown)

            let token = running.endpoint.graphToken
            let noncompliant = try await running.client.get(
                "/v1.0/deviceManagement/managedDevices?$filter=complianceState%20eq%20'noncompliant'", token: token)
            #expect(noncompliant.status == 200, "\(noncompliant.text)")
            let rows = try #require(noncompliant.json["value"] as? [[String: Any]])
            #expect(rows.map { $0["serialNumber"] as? String } == ["SALES-1"])
            #expect(rows.first?["complianceState"] as? String == "noncompliant")
        }
    }

    @Test func compliancePoliciesAreListedAsIntuneListsThem() async throws {
        try await withEndpoint(lab: complianceEndpointLab) { running in
            let token = running.endpoint.graphToken
            let list = try await running.client.get(Self.policies, token: token)
            #expect(list.status == 200, "\(list.text)")
            let policy = try #require((list.json["value"] as? [[String: Any]])?.first)
            #expect(policy["@odata.type"] as? String == "#microsoft.graph.windows10CompliancePolicy")
            #expect(policy["displayName"] as? String == "Windows 11 baseline")
            #expect(policy["secureBootEnabled"] as? Bool == true)
            #expect(policy["tpmRequired"] as? Bool == false)
            let id = try #require(policy["id"] as? String)
            let one = try await running.client.get("\(Self.policies)/\(id.uppercased())?$select=displayName", token: token)
            #expect(one.status == 200)
            #expect(one.json["displayName"] as? String == "Windows 11 baseline")
            #expect(one.json["secureBootEnabled"] == nil, "only what $select asks for")
            let missing = try await running.client.get("\(Self.policies)/nope", token: token)
            #expect(missing.status == 404)
            #expect(((missing.json["error"] as? [String: Any])?["message"] as? String)?.contains("The deviceCompliancePolicy with id 'nope' was not found.") == true)
        }
    }
}
