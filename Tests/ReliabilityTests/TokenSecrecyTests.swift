import Foundation
import Testing
import LabStore
import TestSupport

/// Tokens are secrets: a whole `pxelab run` (not on a terminal) never prints the admin token or
/// any device token, nor writes them into its event log or reports; the files that hold them
/// are the owner's alone.
@Suite("tokens stay secret")
struct TokenSecrecyTests {
    static let lab = """
    lab: secrets
    tenant: { domain: contoso.onmicrosoft.com }
    timing: instant
    models:
      laptop: { manufacturer: Contoso, product: Lab Laptop, tpm: "2.0" }
    fleet:
      - { model: laptop, count: 6, name: "s-{seq}", serial: "SECRET-{seq}", groupTag: Secret }
      - { model: laptop, name: broken, serial: SECRET-X, groupTag: Nowhere, expect: { state: failed, event: 815 } }
    groups:
      - { name: Secret, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Secret"))' }
    profiles:
      - { displayName: Secret user-driven, assignments: [Secret] }
    """

    @Test func noTokenInOutputEventLogOrReports() async throws {
        let fixture = try PXELabRunFixture(lab: Self.lab, named: "secrets", label: "pxelab-secrets")
        defer { fixture.remove() }
        let running = try fixture.start(["--junit", "junit.xml", "--report", "report.html"])
        #expect(await running.exit() == 0, "\(running.output())")
        let (folder, labFolder) = (fixture.folder, fixture.labFolder)

        let admin = try String(contentsOf: labFolder.appendingPathComponent("admin.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let devices = try LabStore(path: labFolder.appendingPathComponent("state.sqlite")).devices()
        let secrets = [admin] + devices.map(\.token)
        #expect(secrets.count == 8 && secrets.allSatisfy { $0.count >= 32 })

        let runs = try FileManager.default.contentsOfDirectory(at: labFolder.appendingPathComponent("runs"),
                                                               includingPropertiesForKeys: nil)
        let eventLogs = runs.map { $0.appendingPathComponent("events.jsonl") }
        #expect(!eventLogs.isEmpty)
        let written = [("output", running.output())]
            + (eventLogs + [folder.appendingPathComponent("junit.xml"), folder.appendingPathComponent("report.html")])
                .map { ($0.lastPathComponent, (try? String(contentsOf: $0, encoding: .utf8)) ?? "") }
        for (name, text) in written {
            #expect(!text.isEmpty, "\(name) is empty")
            for secret in secrets { #expect(!text.contains(secret), "a token appears in \(name)") }
        }

        // The files that hold tokens are the owner's alone.
        for holder in ["admin.token", "state.sqlite"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: labFolder.appendingPathComponent(holder).path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(holder)")
        }
    }
}
