import Foundation
import Testing
import DeviceProtocol
import LabFiles
import LabRunner
import TestSupport

/// Intune's Autopilot deployment report through Graph (`autopilotEvents`), read after virtual
/// devices really went through Autopilot: one deploys, one fails in Entra join.
@Suite("the Graph door: autopilotEvents and managedDevices on devices that ran")
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

    /// The lab running on virtual devices at instant timing, `devices` deployed.
    func deployed(_ devices: [String]) async throws -> RunningLab {
        let running = try await RunningLab.open(labFile: try LabFile.parse(lab, file: "report.yaml"),
                                                stateRoot: makeTemporaryDirectory("pxelab-graph-report"),
                                                options: .init(imagesDirectory: images, timing: LabTiming(scale: 0)))
        try await running.fleet.factoryReset()
        try await running.fleet.deploy(devices)
        return running
    }

    @Test func eachDeploymentIsARowWithItsStateDurationsAndFailure() async throws {
        let running = try await deployed(["good", "bad"])
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

    @Test func aRemoteWipeKeepingEnrollmentAndUserDataIsAnAutopilotReset() async throws {
        let running = try await deployed(["good", "bad"])
        let client = HTTPTestClient(port: running.port)
        let token = running.endpoint.graphToken
        // Only the device that enrolled is managed; get-windowsautopilotinfo filters by serial.
        let all = try await client.get("/v1.0/deviceManagement/managedDevices", token: token).json["value"] as? [[String: Any]] ?? []
        #expect(all.compactMap { $0["serialNumber"] as? String } == ["RPT-1"])
        let found = try await client.get("/v1.0/deviceManagement/managedDevices?$filter=startsWith(serialNumber,%20'RPT')", token: token)
        let device = try #require((found.json["value"] as? [[String: Any]])?.first)
        #expect(device["deviceName"] as? String == "LAB-RPT-1")
        let id = try #require(device["id"] as? String)

        let events = running.lab.store.feed.subscribe(device: "good")
        let wipe = try await client.post("/v1.0/deviceManagement/managedDevices/\(id)/wipe",
                                          json: #"{"keepEnrollmentData": true, "keepUserData": true}"#, token: token)
        #expect(wipe.status == 204, "\(wipe.text)")
        var sawReset = false
        for await event in events {
            if event.phase == .lifecycle && event.step == "reset" && event.status == .completed { sawReset = true }
            if sawReset && event.phase == .desktop && event.step == ProtocolStep.ready && event.status == .completed { break }
        }
        #expect(sawReset)
        let after = try await client.get("/beta/deviceManagement/managedDevices/\(id)", token: token)
        let results = after.json["deviceActionResults"] as? [[String: Any]] ?? []
        #expect(results.first?["actionName"] as? String == "autopilotReset")
        #expect(["pending", "done"].contains(results.first?["actionState"] as? String ?? ""))
        let rows = try await client.get("/beta/deviceManagement/autopilotEvents?$filter=deviceSerialNumber%20eq%20'RPT-1'", token: token)
        #expect((rows.json["value"] as? [[String: Any]])?.count == 2)

        #expect(try await client.post("/v1.0/deviceManagement/managedDevices/\(id)/selfDestruct", json: "{}", token: token).status == 400)
        #expect(try await client.request(.DELETE, "/v1.0/deviceManagement/managedDevices/\(id)", token: token).status == 204)
        #expect(try await client.get("/v1.0/deviceManagement/managedDevices/\(id)", token: token).status == 404)
        try await running.close()
    }

    @Test(.needs(.graphSDK)) func theSDKReadsTheReportAndItsRemoteWipeRunsAnAutopilotReset() async throws {
        let running = try await deployed(["good", "bad"])
        func step(_ arguments: String...) async throws -> [String: Any] {
            try await GraphClient.step(base: "http://127.0.0.1:\(running.port)", token: running.endpoint.graphToken, arguments)
        }
        // The report's rows as the beta SDK parses them (enums, durations, dates).
        let good = try #require((try await step("events", "RPT-1"))["rows"] as? [[String: Any]])
        #expect(good.count == 1)
        #expect(good.first?["state"] as? String == "success")
        #expect(good.first?["deviceName"] as? String == "LAB-RPT-1")
        #expect(good.first?["profile"] as? String == "Standard")
        #expect(good.first?["enrollmentType"] as? String == "azureADJoinedWithAutopilotProfile")
        #expect((good.first?["seconds"] as? Double ?? -1) >= 0)
        #expect((good.first?["ended"] as? String)?.hasPrefix("0001") == false)
        let bad = try #require((try await step("events", "RPT-2"))["rows"] as? [[String: Any]])
        #expect(bad.first?["state"] as? String == "failure")
        #expect((bad.first?["failure"] as? String)?.hasPrefix("0x801C0003") == true, "\(bad)")

        let events = running.lab.store.feed.subscribe(device: "good")
        let wiped = try await step("wipe", "RPT-1")
        #expect(wiped["deviceName"] as? String == "LAB-RPT-1")
        var kept: [DeviceAspect] = []
        for await event in events {
            if event.phase == .lifecycle && event.step == "reset" && event.status == .completed { kept = event.kept ?? [] }
            if !kept.isEmpty && event.phase == .desktop && event.step == ProtocolStep.ready && event.status == .completed { break }
        }
        // An Autopilot Reset keeps the join, the enrollment and the device's name.
        #expect(kept.contains(.join) && kept.contains(.enrollment))
        #expect(try running.lab.store.device(named: "good")?.lifecycle == .deployed)
        try await running.close()
    }
}
