import Foundation
import Testing
import TestSupport

/// `pxelab validate` checks what attestation will read of a host's `ekAuthority`, not only that the
/// path exists: a PEM file without its CA's root is refused before any run, naming the host.
@Suite("pxelab validate and a host's EK authority", .needs(.swtpm))
struct ValidateCommandTests {
    @Test func anAuthorityWithoutItsRootIsAProblemAndOneWithItIsNot() async throws {
        let ca = try await onThreadOfItsOwn { try SwtpmLab.shared().ca }
        let folder = makeTemporaryDirectory("pxelab-validate")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: ca.issuerCertificate, to: folder.appendingPathComponent("issuer-only.pem"))
        try (Data(contentsOf: ca.issuerCertificate) + Data(contentsOf: ca.rootCertificate)).write(to: folder.appendingPathComponent("whole.pem"))
        func write(_ name: String, authority: String) throws {
            try """
                lab: v
                hosts:
                  here: qemu:///system
                  rack2: { uri: "qemu+tcp://198.18.0.2/system", ekAuthority: \(authority) }
                models:
                  laptop: { manufacturer: Contoso, product: Lab Laptop }
                fleet:
                  - { model: laptop, name: v-1, serial: V0001 }
                """.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try write("good.yaml", authority: "whole.pem")
        try write("bad.yaml", authority: "issuer-only.pem")
        let pxelab = try PXELabCommand()

        let good = try pxelab.start(["validate", "good.yaml"], in: folder)
        #expect(await good.exit() == 0, "\(good.output())")
        #expect(good.output().contains("good.yaml: OK"))

        let bad = try pxelab.start(["validate", "bad.yaml"], in: folder)
        #expect(await bad.exit() == 2)
        let said = bad.output()
        #expect(said.contains("bad.yaml: \(folder.appendingPathComponent("issuer-only.pem").path) cannot be read: the ekAuthority of host 'rack2'"), "\(said)")
        #expect(said.contains("none of its 1 certificates is a root"), "\(said)")
    }
}
