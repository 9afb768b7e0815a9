import Foundation
import Testing
import LabFiles
import LabRunner
import TestSupport

/// DMTF's validators against the Redfish service of a lab of virtual devices, as a BMC vendor
/// checks a service: each must report no failure. Their own summaries are read (all three exit 1
/// on a crash as on a failure).
@Suite("DMTF's Redfish validators against a lab", .needs(.redfishClients), .serialized)
struct RedfishConformanceTests {
    /// The lab up on virtual devices at instant timing, its Redfish service on HTTPS.
    func open() async throws -> (running: RunningLab, url: String, password: String, authority: URL, folder: URL) {
        let folder = makeTemporaryDirectory("pxelab-redfish-conformance")
        let running = try await RunningLab.open(labFile: try LabFile.parse(redfishLab, file: "bmc.yaml"),
                                                stateRoot: folder.appendingPathComponent("state"),
                                                options: .init(imagesDirectory: images, timing: LabTiming(scale: 0)))
        return (running, running.redfish.url(port: running.redfishPort), running.redfish.service.adminPassword,
                try #require(running.redfish.authorityFile), folder)
    }

    @Test func theProtocolValidatorFindsNoFailure() async throws {
        let lab = try await open()
        let (_, output) = try await RedfishTools.run(
            "rf_protocol_validator", ["-r", lab.url, "-u", "admin", "-p", lab.password, "--report-dir", lab.folder.path,
                                      "--ca-bundle", lab.authority.path, "--avoid-http-redirect"],
            authority: lab.authority, in: lab.folder)
        let summary = try #require(RedfishTools.summary(of: output), "no summary in: \(output.suffix(2_000))")
        #expect(summary.fail == 0, "\(output.suffix(4_000))")
        #expect(summary.pass > 300)
        try await lab.running.close()
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["REDFISH_SCHEMA_DIR"] != nil,
                   "skipped: REDFISH_SCHEMA_DIR (DMTF's CSDL schema, ../shared/redfish-csdl, which .ci/run sets) is unset"))
    func theServiceValidatorFindsNoFailureAgainstTheCSDLSchema() async throws {
        let schema = try #require(ProcessInfo.processInfo.environment["REDFISH_SCHEMA_DIR"])
        #expect(FileManager.default.fileExists(atPath: schema + "/ComputerSystem_v1.xml"), "no CSDL schema in REDFISH_SCHEMA_DIR=\(schema)")
        let lab = try await open()
        // DMTF's schema and the service's own (its Oem section), which $metadata references.
        let schemas = lab.folder.appendingPathComponent("schemas")
        try FileManager.default.createDirectory(at: schemas, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: schema) where file.hasSuffix(".xml") {
            try FileManager.default.copyItem(atPath: schema + "/" + file, toPath: schemas.appendingPathComponent(file).path)
        }
        let client = try RedfishClient(url: lab.url, authority: lab.authority)
        let metadata = try await client.request(.GET, "/redfish/v1/$metadata", as: .none).text
        let own = metadata.split(separator: "\"").filter { $0.hasPrefix("/redfish/v1/Schemas/") }
        #expect(own == ["/redfish/v1/Schemas/PxelabComputerSystem_v1.xml"])
        for path in own {
            let file = try await client.request(.GET, String(path), as: .none)
            #expect(file.status == 200)
            try Data(file.text.utf8).write(to: schemas.appendingPathComponent(String(path.split(separator: "/").last!)))
        }
        let (_, output) = try await RedfishTools.run(
            "rf_service_validator", ["-r", lab.url, "-u", "admin", "-p", lab.password, "--authtype", "Session",
                                     "--schema_directory", schemas.path, "--skipschema", "--logdir", lab.folder.path],
            authority: lab.authority, in: lab.folder)
        let summary = try #require(RedfishTools.summary(of: output), "no summary in: \(output.suffix(2_000))")
        #expect(summary.fail == 0, "\(output.suffix(4_000))")
        #expect(summary.pass > 300)
        // The Oem section was checked against the service's own schema, property by property.
        let reports = FileManager.default.enumerator(atPath: lab.folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".html") } ?? []
        let report = try reports.map { try String(contentsOf: lab.folder.appendingPathComponent($0), encoding: .utf8) }.joined()
            .replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
        for property in ["@odata.type #PxelabComputerSystem.v1_0_0.PxelabComputerSystem", "Lifecycle factory", "Profile Standard", "BootCount 0"] {
            #expect(report.contains("Oem/Pxelab/\(property) PASS"), "Oem/Pxelab/\(property) not passed in the report")
        }
        try await lab.running.close()
    }

    @Test func theUseCaseCheckersFindNoFailure() async throws {
        let lab = try await open()
        let (_, output) = try await RedfishTools.run(
            "rf_use_case_checkers", ["-r", lab.url, "-u", "admin", "-p", lab.password, "--report-dir", lab.folder.path, "--test-list",
                                     "PowerControl", "BootOverride", "AccountManagement", "ManagerEthernetInterfaces", "QueryParameters"],
            authority: lab.authority, in: lab.folder)
        let summary = try #require(RedfishTools.summary(of: output), "no summary in: \(output.suffix(2_000))")
        #expect(summary.fail == 0, "\(output.suffix(4_000))")
        #expect(summary.pass > 50)
        try await lab.running.close()
    }
}

/// sushy, the library Ironic (and so Metal3) drives BMCs with, against a lab's Redfish service.
@Suite("sushy against a lab's Redfish service", .needs(.redfishClients))
struct RedfishSushyTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Clients/redfish/lab_sushy.py").standardizedFileURL

    @Test func ironicsCallsLogInReadTheIdentityPowerTheSystemAndBootItOnceFromTheNetwork() async throws {
        let folder = makeTemporaryDirectory("pxelab-sushy")
        let running = try await RunningLab.open(
            labFile: try LabFile.parse("""
                lab: ironic
                tenant: { domain: contoso.onmicrosoft.com }
                models:
                  server: { manufacturer: Contoso, product: Lab Server }
                fleet:
                  - { model: server, count: 2, name: "bm-{seq}", serial: "BM-{seq}" }
                profiles: [{ displayName: Standard, assignments: [All devices] }]
                """, file: "ironic.yaml"),
            stateRoot: folder.appendingPathComponent("state"), options: .init(imagesDirectory: images, timing: LabTiming(scale: 0)))
        let device = try #require(running.lab.labFile.devices.first)
        let authority = try #require(running.redfish.authorityFile)
        let bootsBefore = try running.lab.store.device(named: device.name)?.bootCount ?? 0
        let (status, output) = try await RedfishTools.run(
            "python", [Self.script.path, device.identity.uuid.uuidString.lowercased()], authority: authority, in: folder,
            environment: ["PXELAB_REDFISH_URL": running.redfish.url(port: running.redfishPort),
                          "PXELAB_REDFISH_PASSWORD": running.redfish.service.adminPassword, "PXELAB_REDFISH_CA": authority.path])
        #expect(status == 0, "\(output)")
        let read = try #require(try JSONSerialization.jsonObject(with: Data((output.split(separator: "\n").last ?? "").utf8)) as? [String: Any],
                                "\(output)")
        #expect((read["members"] as? [String])?.count == 2)
        #expect((read["sessions"] as? Int ?? 0) >= 1)
        #expect(read["manufacturer"] as? String == "Contoso")
        #expect(read["model"] as? String == "Lab Server")
        #expect(read["serial"] as? String == "BM-1")
        #expect(read["biosVersion"] as? String == "1.0.0")
        // The state disk, as inspection sizes a node's root disk.
        #expect(read["driveBytes"] as? [Int] == [256 << 20])
        #expect(read["uuid"] as? String == device.identity.uuid.uuidString.lowercased())
        // The model's firmware (UEFI, Secure Boot on, Microsoft's keys), as Ironic reads it.
        let secureBoot = read["secureBoot"] as? [Any] ?? []
        #expect(secureBoot.first as? Bool == true && secureBoot.dropFirst().compactMap { $0 as? String } == ["Enabled", "UserMode"],
                "\(secureBoot)")
        #expect(read["bootBefore"] as? [String] == ["Pxe", "Once"])
        // The next boot spent the one-time override, as the schema has it.
        #expect(read["bootAfter"] as? [String] == ["Pxe", "Disabled"])
        #expect(read["powerState"] as? String == "On")
        // Two power-ons and a restart: the device network-booted through the endpoint each time
        // (sushy does not follow the 202's task, so the restart may still run: waited for; the boot
        // records are committed in the background: settled).
        await running.redfish.service.resetsCarriedOut()
        try running.lab.store.settle()
        #expect((try running.lab.store.device(named: device.name)?.bootCount ?? 0) == bootsBefore + 3)
        try await running.close()
    }
}
