import Foundation
import Testing
import LabFiles
import LabRunner
import TestSupport

/// Intune's Autopilot deployment report through Graph (`autopilotEvents`), read after virtual
/// devices really went through Autopilot: one deploys, one fails in Entra join.
@Suite("the Graph door: autopilotEvents from deployments that ran")
struct GraphReportTests {
    let lab = """
    lab: report
    tenant: { domain: contoso.onmicrosoft.com }
    models:
      laptop: { manufacturer: Contoso, product: Lab Laptop }
    fleet:
      - { model: laptop, name: good, serial: RPT-1, assignedUser: adele@contoso.onmicrosoft.com }
      - { model: laptop, name: bad, serial: RPT-2 }
    profiles: [{ displayName: Standard, deviceNameTemplate: "LAB-%SERIAL%", assignments: [All devices] }]
    esp: [{ displayName: ESP, selectedMobileAppIds: [Portal] }]
    apps: [{ displayName: Portal }]
    faults:
      - { devices: [bad], kind: error, phase: identity, step: entra-join, code: "0x801C0003" }
    """

    @Test func eachDeploymentIsARowWithItsStateDurationsAndFailure() async throws {
        let running = try await RunningLab.open(labFile: try LabFile.parse(lab, file: "report.yaml"),
                                                stateRoot: makeTemporaryDirectory("pxelab-graph-report"),
                                                options: .init(imagesDirectory: images, timing: LabTiming(scale: 0)))
        try await running.fleet.factoryReset()
        try await running.fleet.deploy(["good", "bad"])
        let client = HTTPTestClient(port: running.port)
        let token = running.endpoint.graphToken
        #expect(try await client.get("/v1.0/deviceManagement/autopilotEvents", token: token).status == 404)
        let reply = try await client.get("/beta/deviceManagement/autopilotEvents", token: token)
        #expect(reply.status == 200, "\(reply.text)")
        let rows = reply.json["value"] as? [[String: Any]] ?? []
        #expect(rows.count == 2)
        let good = try #require(rows.first { $0["deviceSerialNumber"] as? String == "RPT-1" })
        #expect(good["deploymentState"] as? String == "success")
        #expect(good["deviceSetupStatus"] as? String == "success")
        #expect(good["managedDeviceName"] as? String == "LAB-RPT-1")
        #expect(good["enrollmentType"] as? String == "azureADJoinedWithAutopilotProfile")
        #expect(good["windowsAutopilotDeploymentProfileDisplayName"] as? String == "Standard")
        #expect(good["userPrincipalName"] as? String == "adele@contoso.onmicrosoft.com")
        #expect((good["deploymentDuration"] as? String)?.hasPrefix("PT") == true)
        #expect((good["deviceId"] as? String)?.isEmpty == false)
        #expect(good["deploymentEndDateTime"] as? String != "0001-01-01T00:00:00Z")
        let bad = try #require(rows.first { $0["deviceSerialNumber"] as? String == "RPT-2" })
        #expect(bad["deploymentState"] as? String == "failure")
        #expect(bad["deviceSetupStatus"] as? String == "notAttempted")
        #expect((bad["enrollmentFailureDetails"] as? String)?.hasPrefix("0x801C0003") == true, "\(bad)")

        // A reset is another deployment of the same device: another row.
        _ = try await running.fleet.reset("good", remote: true)
        let again = try await client.get("/beta/deviceManagement/autopilotEvents?$filter=deviceSerialNumber%20eq%20'RPT-1'", token: token)
        #expect((again.json["value"] as? [[String: Any]])?.count == 2)
        let one = try await client.get("/beta/deviceManagement/autopilotEvents/\(good["id"] as? String ?? "")", token: token)
        #expect(one.json["deviceSerialNumber"] as? String == "RPT-1")
        try await running.close()
    }
}
