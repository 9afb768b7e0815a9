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

/// A real VM on a second libvirt host (a network namespace, `qemu+tcp`): QEMU's user-mode
/// network connects out from that host, so the VM can reach the controller's endpoint only at
/// the controller's address on the link to it, which the endpoint listens on too.
@Suite("a real VM on another libvirt host boots from the controller", .needs(.libvirtQEMU, .guestImage, .netnsHost))
struct RemoteHostRunTests {
    @Test func aVMOnTheSecondHostDeploysThroughTheControllersAddress() async throws {
        try await withNetnsLibvirtHost(name: "pxl-run", index: 2) { remote in
            let name = "r\(UUID().uuidString.prefix(6).lowercased())"
            let labFile = try LabFile.parse("""
                lab: \(name)
                hosts:
                  rack2: \(remote.uri)
                timing: instant
                tenant: { domain: contoso.onmicrosoft.com }
                models:
                  mini: { manufacturer: LENOVO, product: 11T3S0JR00, memory: 512, firmware: bios, tpm: "2.0" }
                fleet:
                  - { model: mini, name: \(name)-vm, serial: "\(name.uppercased())01", groupTag: Sales, assignedUser: adele@contoso.onmicrosoft.com }
                groups:
                  - { name: Sales, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))' }
                profiles:
                  - { displayName: Sales, deviceNameTemplate: "S-%SERIAL%", assignments: [Sales] }
                scenario:
                  - deploy: all
                  - { expect: \(name)-vm, state: business-ready }
                """, file: "remote.yaml")
            let root = makeTemporaryDirectory("pxelab-remote")
            let directory = LabDirectory(root: root, lab: labFile.lab)
            let provisioner = LabProvisioner(labFile: labFile, directory: directory)
            defer { _ = try? provisioner.down() }
            let running = try await runScenario(of: labFile, stateRoot: root)
            let port = running.port
            // The VM was defined on the second host and told to boot from the controller's address on
            // the link (its only way to the endpoint), and the endpoint saw its serial.
            let device = labFile.devices[0]
            let stored = try DomainSpec(xml: Connection(uri: remote.uri).domain(named: device.name).xmlDescription([.inactive]))
            #expect(stored.networkBoot?.bootFile == "http://\(remote.controllerAddress):\(port)/boot.ipxe")
            #expect(try running.lab.store.device(named: device.name)?.bootIdentity?.contains("serial=\(device.identity.serial)") == true)
        }
    }
}
