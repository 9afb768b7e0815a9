import Foundation
import Testing
import TestSupport

/// The lab's Graph door driven by Microsoft's Graph SDKs for Python (`msgraph-beta-sdk`,
/// `msgraph-sdk`, pinned in Clients/graph/requirements.txt), as QA pipelines drive Intune:
/// `Clients/graph/lab_graph.py` runs one step and prints what the SDK gave back.
@Suite("the Graph door through Microsoft's Graph SDKs for Python", .needs(.graphSDK))
struct GraphSDKTests {
    /// A lab of 2,500 registered laptops in four group tags, and two unregistered.
    static let lab = """
        lab: graph-sdk
        tenant: { id: 6b1f3c2e-8d4a-4f7b-9c1e-2a5d7e9f0b13, domain: contoso.onmicrosoft.com }
        models:
          laptop: { manufacturer: Contoso, product: Lab Laptop, tpm: "2.0" }
        fleet:
          - { model: laptop, count: 1000, name: "sales-{seq}", serial: "SLS{seq:05}", groupTag: Sales }
          - { model: laptop, count: 1000, name: "mkt-{seq}", serial: "MKT{seq:05}", groupTag: Marketing }
          - { model: laptop, count: 490, name: "loose-{seq}", serial: "LSE{seq:05}" }
          - { model: laptop, count: 10, name: "kiosk-{seq}", serial: "KSK{seq:05}", groupTag: Kiosk }
          - { model: laptop, name: new, serial: NEW00001, registered: false }
          - { model: laptop, name: foreign, serial: FOREIGN1, registered: false }
        groups:
          - { name: Sales devices, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))' }
          - { name: Kiosks, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))' }
        profiles:
          - { displayName: Sales, outOfBoxExperienceSettings: { hideEULA: true }, assignments: [Sales devices] }
        """

    func step(_ running: RunningEndpoint, _ arguments: String...) async throws -> [String: Any] {
        try await GraphClient.step(base: running.client.base, token: running.endpoint.graphToken, arguments)
    }

    @Test func pipelinesPageFilterImportAndExpandAsAgainstIntune() async throws {
        let running = try await RunningEndpoint.start(lab: Self.lab)
        let lab = running.endpoint.lab
        func hash(_ name: String) -> String { lab.labFile.hardwareHash(of: lab.labFile.devices.first { $0.name == name }!) }

        // The v1.0 SDK's page iterator follows 3 pages of 1,000 to every identity once.
        let pages = try await step(running, "page")
        #expect(pages["count"] as? Int == 2_500)
        #expect(pages["distinct"] as? Int == 2_500)
        #expect(pages["odataCount"] as? Int == 2_500)
        #expect((pages["firstNextLink"] as? String)?.hasPrefix(running.client.base + "/v1.0/deviceManagement/") == true)

        let filtered = try await step(running, "filter", "SLS0012")
        #expect(filtered["serials"] as? [String] == (120...129).map { "SLS\(String(format: "%05d", $0))" })
        #expect(Set(filtered["groupTags"] as? [String] ?? []) == ["Sales"])
        #expect(Set(filtered["statuses"] as? [String] ?? []) == ["assignedInSync"])

        // A real hash uploaded, processed (import delay 0 s) and registered with its group tag.
        let imported = try await step(running, "import", "NEW00001", hash("new"), "Sales")
        #expect(imported["createdStatus"] as? String == "unknown")
        #expect(imported["status"] as? String == "complete")
        #expect(imported["errorCode"] as? Int == 0)
        #expect(imported["serial"] as? String == "NEW00001")
        #expect(imported["groupTag"] as? String == "Sales")

        // 806 for a serial already here, 808 for one registered to another tenant.
        try lab.autopilot.moveToOtherTenant(serial: "FOREIGN1")
        let bulk = try await step(running, "bulk", "SLS00001:\(hash("sales-1"))", "FOREIGN1:\(hash("foreign"))")
        let states = bulk["states"] as? [String: [Any]] ?? [:]
        #expect(states["SLS00001"]?[1] as? Int == 806)
        #expect(states["SLS00001"]?[2] as? String == "ZtdDeviceAlreadyAssigned")
        #expect(states["FOREIGN1"]?[1] as? Int == 808)

        // The profile comes back as Kiota's subclass, picked by its @odata.type.
        let id = try #require(try lab.autopilot.registration(serial: "SLS00002")).id
        let expanded = try await step(running, "expand", id)
        #expect(expanded["profileType"] as? String == "AzureADWindowsAutopilotDeploymentProfile")
        #expect(expanded["profileName"] as? String == "Sales")
        #expect(expanded["eulaHidden"] as? Bool == true)

        // A profile created and assigned to the kiosks' group reaches them, and their status reads
        // assignedInSync.
        let kiosks = try #require(lab.autopilot.configuration.groups.first { $0.displayName == "Kiosks" }).id
        let profile = try await step(running, "profile", kiosks, "KSK")
        #expect(profile["type"] as? String == "AzureADWindowsAutopilotDeploymentProfile")
        #expect(profile["template"] as? String == "SDK-%RAND:5%")
        #expect(profile["assignmentId"] as? String == "\(profile["profileId"] as? String ?? "")_\(kiosks)_0")
        #expect(profile["statuses"] as? [String] == Array(repeating: "assignedInSync", count: 10))
        #expect(profile["assignedDevices"] as? Int == 10)

        let missing = try await step(running, "missing", "00000000-0000-0000-0000-000000000001")
        #expect((missing["error"] as? [String: Any])?["status"] as? Int == 404)
        #expect((missing["error"] as? [String: Any])?["code"] as? String == "ResourceNotFound")
        try await running.stop()
    }
}
