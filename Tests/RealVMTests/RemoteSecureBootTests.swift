import Foundation
import Testing
import DeviceProtocol
import Libvirt
import LibvirtXML
import LabController
import LabService
@testable import LabRunner
import LabFiles
import TestSupport

/// `make soak`: a Windows 11-class VM (OVMF with Secure Boot, a swtpm TPM 2.0) on a second libvirt
/// host (a network namespace, `qemu+tcp`) self-deploys through the signed chain: QEMU on that host
/// gives it shim and GRUB from the lab's TFTP folder for that host, whose GRUB asks the endpoint's
/// TFTP server at the controller's address towards it, and its TPM is attested for real against
/// that host's own swtpm local CA, which the lab file names as its `ekAuthority`. (Under
/// `make test` a Secure Boot VM beside the other real-VM tests' would push them past their time
/// limits on two cores; RemoteHostRunTests runs BIOS VMs on both hosts there.)
@Suite("a Secure Boot VM on a second libvirt host self-deploys (soak)", .needs(.libvirtQEMU, .guestImage, .netnsHost, .swtpm, .secureBoot),
       .enabled(if: ProcessInfo.processInfo.environment["PXELAB_SOAK_REMOTE_SECURE_BOOT"] == "1"))
struct RemoteSecureBootTests {
    @Test func itBootsTheSignedChainFromItsHostsAddressAndAttestsItsTPM() async throws {
        try await withNetnsLibvirtHost(name: "pxl-sb", index: 5) { remote in
            let name = "s\(UUID().uuidString.prefix(6).lowercased())"
            let labFile = try LabFile.parse("""
                lab: \(name)
                hosts:
                  rack2: { uri: "\(remote.uri)", ekAuthority: \(remote.swtpmLocalCA.path) }
                timing: instant
                tenant: { domain: contoso.onmicrosoft.com }
                models:
                  w11: { manufacturer: Microsoft Corporation, product: Surface Laptop 6, memory: 512 }
                fleet:
                  - { model: w11, name: \(name)-kiosk, serial: "\(name.uppercased())01", groupTag: Kiosk }
                groups:
                  - { name: Kiosk, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))' }
                profiles:
                  - { displayName: Kiosk, outOfBoxExperienceSettings: { deviceUsageType: shared }, assignments: [Kiosk] }
                scenario:
                  - deploy: all
                  - { expect: all, state: business-ready }
                """, file: "remote-secure-boot.yaml")
            let root = makeTemporaryDirectory("pxelab-remote-sb")
            let directory = LabDirectory(root: root, lab: labFile.lab)
            let provisioner = LabProvisioner(labFile: labFile, directory: directory)
            defer { _ = try? provisioner.down() }
            let running = try await runScenario(of: labFile, stateRoot: root)
            let device = labFile.devices[0]
            // Shim from that host's TFTP folder, whose GRUB names the controller as that host reaches it.
            let stored = try DomainSpec(xml: Connection(uri: remote.uri).domain(named: device.name).xmlDescription([.inactive]))
            let folder = directory.tftp(reachingEndpointAt: remote.controllerAddress)
            #expect(stored.networkBoot?.tftpRoot == folder.path)
            let bootstrap = try String(contentsOf: folder.appendingPathComponent("grub/grub.cfg"), encoding: .utf8)
            #expect(bootstrap.contains("(tftp,\(remote.controllerAddress):\(running.port))"))
            // GRUB asked the endpoint's TFTP server with the VM's serial, from that host's address.
            let summary = try #require(try running.lab.deviceSummaries(named: device.name).first)
            #expect(summary.lastBootPath == .shimGRUB && summary.lastBootClient == remote.address && summary.host == "rack2")
            #expect(try running.lab.store.device(named: device.name)?.bootIdentity?.contains("serial=\(device.identity.serial)&") == true)
            // Its TPM (swtpm on that host, its EK certified by that host's own local CA, which the lab
            // file names, not this machine's) passed attestation.
            let attested = try running.lab.store.events(of: device.name)
                .filter { $0.step == "securing-hardware" && $0.status == .completed }.compactMap(\.message)
            #expect(attested.first?.hasPrefix("TPM 2.0 attested (CN=swtpm-localca)") == true, "\(attested)")
            // (This machine's CA exists only once a TPM was made here.)
            let rootCertificate = "swtpm-localca-rootca-cert.pem"
            let controllers = try? Data(contentsOf: URL(fileURLWithPath: "/var/lib/swtpm-localca").appendingPathComponent(rootCertificate))
            #expect(try Data(contentsOf: remote.swtpmLocalCA.appendingPathComponent(rootCertificate)) != controllers)
        }
    }
}
