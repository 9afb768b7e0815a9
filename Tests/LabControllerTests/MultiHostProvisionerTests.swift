import Foundation
import Testing
import Libvirt
import LibvirtXML
import LabController
import LabService
import LabFiles
import TestSupport

/// A lab on two libvirt hosts: this machine's libvirtd and a second one in a network namespace,
/// reached through libvirt's remote protocol (`qemu+tcp`, 198.18.0.0/15).
@Suite("bringing a lab up across two libvirt hosts", .needs(.libvirtQEMU, .netnsHost))
struct MultiHostProvisionerTests {
    @Test func eachDeviceIsDefinedOnItsHostAndDownRemovesThemFromBoth() async throws {
        try await withNetnsLibvirtHost(name: "pxl-prov", index: 1) { remote in
            let name = "t\(UUID().uuidString.prefix(6).lowercased())"
            let labFile = try LabFile.parse("""
                lab: \(name)
                hosts:
                  here: qemu:///system
                  rack2: \(remote.uri)
                models:
                  legacy: { manufacturer: Contoso, product: Old Box, firmware: bios, tpm: none, memory: 512 }
                  w11: { manufacturer: Contoso, product: Secure Laptop, memory: 512 }
                fleet:
                  - { model: legacy, name: \(name)-a, serial: "\(name.uppercased())-A", host: here }
                  - { model: legacy, name: \(name)-b, serial: "\(name.uppercased())-B", host: rack2 }
                  - { model: w11, name: \(name)-c, serial: "\(name.uppercased())-C", host: rack2 }
                """, file: "two-hosts.yaml")
            let directory = LabDirectory(root: makeTemporaryDirectory("pxelab-state"), lab: name)
            let provisioner = LabProvisioner(labFile: labFile, directory: directory)
            defer { _ = try? provisioner.down() }
            let defined = try provisioner.up().sorted { $0.device < $1.device }
            #expect(defined.map { "\($0.device) \($0.uri) \($0.action)" }
                    == ["\(name)-a qemu:///system defined", "\(name)-b \(remote.uri) defined", "\(name)-c \(remote.uri) defined"])
            let here = try Connection(uri: "qemu:///system"), rack2 = try Connection(uri: remote.uri)
            #expect(try here.domainIfExists(named: "\(name)-a") != nil && here.domainIfExists(named: "\(name)-b") == nil)
            #expect(try rack2.domainIfExists(named: "\(name)-b") != nil && rack2.domainIfExists(named: "\(name)-a") == nil)
            let stored = try DomainSpec(xml: rack2.domain(named: "\(name)-b").xmlDescription([.inactive]))
            #expect(stored.sysinfo?.system.serial == "\(name.uppercased())-B")
            // Each VM is told to boot from the endpoint at an address it can reach: the other host's
            // at this machine's end of the link to it (found by the route), this host's at QEMU's gateway.
            #expect(stored.networkBoot?.bootFile == "http://\(remote.controllerAddress):7480/boot.ipxe")
            let local = try DomainSpec(xml: here.domain(named: "\(name)-a").xmlDescription([.inactive]))
            #expect(local.networkBoot?.bootFile == "http://10.0.2.2:7480/boot.ipxe")
            // A Secure Boot VM there gets shim from a TFTP folder of its own host's, whose GRUB
            // bootstrap (the endpoint writes it) names the same address.
            let secure = try DomainSpec(xml: rack2.domain(named: "\(name)-c").xmlDescription([.inactive]))
            #expect(secure.networkBoot?.tftpRoot == directory.tftp(reachingEndpointAt: remote.controllerAddress).path)
            #expect(secure.networkBoot?.tftpRoot != directory.tftp.path)
            #expect(try provisioner.up().map(\.action) == [.unchanged, .unchanged, .unchanged], "converged on both hosts")
            #expect(try provisioner.down().count == 3)
            #expect(try here.domainIfExists(named: "\(name)-a") == nil && rack2.domainIfExists(named: "\(name)-b") == nil)

            // A host whose network went silent is refused by the reachability check (its time limit,
            // or the neighbour's missing answer), not by libvirt after the kernel's two minutes of retries.
            try await remote.cutNetwork()
            // On a thread of its own: the check waits up to its limit, which the cooperative pool's
            // few threads must not.
            await #expect {
                _ = try await onThreadOfItsOwn { try provisioner.up() }
            } throws: { error in
                let refusal = (error as? ProvisionError)?.underlying as? LabError
                // Silence ("no answer within 10.0 seconds") or the neighbour's missing ARP answer ("No route to host").
                return refusal.map(String.init(describing:))?.hasPrefix("the libvirt host \(remote.uri) (\(remote.address):16509) cannot be reached: ") == true
            }
            try await remote.mendNetwork()
            try HostReachability.check(uri: remote.uri)
        }
    }
}
