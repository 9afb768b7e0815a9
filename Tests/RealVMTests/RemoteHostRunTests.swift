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

/// One run over two libvirt hosts: this machine's (`qemu:///system`) and a second one (a network
/// namespace, `qemu+tcp`). QEMU's user-mode network connects out from the host QEMU runs on, so
/// the second host's VM reaches the controller's endpoint only at the controller's address on the
/// link to it, which the endpoint listens on too; the local VM keeps loopback.
@Suite("a lab over two libvirt hosts: real VMs on both deploy and reset", .needs(.libvirtQEMU, .guestImage, .netnsHost))
struct RemoteHostRunTests {
    @Test func vmsOnBothHostsDeployAndResetEachBootingFromItsHostsAddress() async throws {
        try await withNetnsLibvirtHost(name: "pxl-run", index: 2) { remote in
            let name = "r\(UUID().uuidString.prefix(6).lowercased())"
            let labFile = try LabFile.parse("""
                lab: \(name)
                hosts:
                  local: qemu:///system
                  rack2: \(remote.uri)
                timing: instant
                tenant: { domain: contoso.onmicrosoft.com }
                models:
                  mini: { manufacturer: LENOVO, product: 11T3S0JR00, memory: 512, firmware: bios, tpm: "2.0" }
                fleet:
                  - { model: mini, name: \(name)-here, serial: "\(name.uppercased())01", groupTag: Sales, assignedUser: adele@contoso.onmicrosoft.com }
                  - { model: mini, name: \(name)-there, host: rack2, serial: "\(name.uppercased())02", groupTag: Sales, assignedUser: alex@contoso.onmicrosoft.com }
                groups:
                  - { name: Sales, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))' }
                profiles:
                  - { displayName: Sales, deviceNameTemplate: "S-%SERIAL%", assignments: [Sales] }
                policies:
                  - { displayName: Allow Autopilot Reset, id: autopilot-reset, kind: autopilot-reset }
                scenario:
                  - deploy: all
                  - { expect: all, state: business-ready }
                  # The keys go to the second host's VM through that host's libvirt.
                  - { reset: \(name)-there }
                  - { reset: \(name)-here, remote: true }
                  - { expect: all, state: business-ready, kept: [join, enrollment], removed: [user-files, primary-user], event: [lifecycle/reset/completed] }
                """, file: "two-hosts.yaml")
            let root = makeTemporaryDirectory("pxelab-remote")
            let provisioner = LabProvisioner(labFile: labFile, directory: LabDirectory(root: root, lab: labFile.lab))
            defer { _ = try? provisioner.down() }
            let there = labFile.devices[1]
            let running = try await runScenario(of: labFile, stateRoot: root) { running in
                // The other host's VM through the run's other doors: its screen (virDomainScreenshot
                // over that host's connection) shows the desktop's text, and Redfish reads its power
                // state from that host's libvirt.
                let png = try await running.fleet.screen(of: there.name)
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 4_096, "\(png.count) bytes of PNG")
                let client = try RedfishClient(url: running.redfish.url(port: running.redfishPort),
                                               authority: try #require(running.redfish.authorityFile))
                let system = try await client.request(.GET, "/redfish/v1/Systems/\(there.identity.uuid.uuidString.lowercased())",
                                                      as: .basic("admin", running.redfish.service.adminPassword))
                #expect(system.json["PowerState"] as? String == "On" && system.json["SerialNumber"] as? String == there.identity.serial)
                // A snapshot of it is taken and reverted to through that host's libvirt.
                try await running.fleet.snapshot(there.name, as: "ready")
                try await running.fleet.revert(there.name, to: "ready")
                #expect(try Connection(uri: remote.uri).domain(named: there.name).snapshotIfExists(named: "ready") != nil)
                #expect(try running.lab.deviceSummaries(named: there.name).first?.outcome == .businessReady)
            }
            let port = running.port
            // Each VM was defined on its own host, told to boot from the address its host reaches
            // the controller at, and its boot requests came from there.
            let expected = [(labFile.devices[0], "qemu:///system", "10.0.2.2", "127.0.0.1", "local"),
                            (labFile.devices[1], remote.uri, remote.controllerAddress, remote.address, "rack2")]
            for (device, uri, bootAddress, client, host) in expected {
                let stored = try DomainSpec(xml: Connection(uri: uri).domain(named: device.name).xmlDescription([.inactive]))
                #expect(stored.networkBoot?.bootFile == "http://\(bootAddress):\(port)/boot.ipxe")
                let summary = try #require(try running.lab.deviceSummaries(named: device.name).first)
                #expect(summary.host == host && summary.lastBootClient == client, "\(device.name)")
                #expect(try running.lab.store.device(named: device.name)?.bootIdentity?.contains("serial=\(device.identity.serial)") == true)
            }
        }
    }
}
