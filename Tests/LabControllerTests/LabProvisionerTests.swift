import Foundation
import Testing
import Libvirt
import LibvirtXML
@testable import LabController
import LabService
import LabFiles
import TestSupport

func lab(named name: String = "ctl", count: Int = 3, memory: Int = 512, hostURI: String? = nil,
         extraDevice: String = "") throws -> LabFile {
    let hosts = hostURI.map { "hosts:\n  rack: \($0)\n" } ?? ""
    let text = """
    lab: \(name)
    \(hosts)models:
      laptop:
        manufacturer: Contoso
        product: Lab Laptop
        memory: \(memory)
    fleet:
      - model: laptop
        count: \(count)
        serial: "\(name.uppercased())-{seq:04}"
        groupTag: Sales
    \(extraDevice)
    """
    return try LabFile.parse(text, file: "\(name).yaml")
}

@Suite("bringing labs up and down on the embedded default")
struct EmbeddedProvisionerTests {
    let root = makeTemporaryDirectory("pxelab-state")

    func provisioner(_ labFile: LabFile) -> LabProvisioner {
        LabProvisioner(labFile: labFile, directory: LabDirectory(root: root, lab: labFile.lab))
    }

    @Test func upDefinesEveryDeviceAndASecondUpChangesNothing() throws {
        let labFile = try lab()
        let first = try provisioner(labFile).up()
        #expect(first.map(\.action) == Array(repeating: .defined, count: 3))
        let second = try provisioner(labFile).up()
        #expect(second.map(\.action) == Array(repeating: .unchanged, count: 3))
    }

    @Test func theEmbeddedFleetPersistsAcrossConnections() throws {
        let labFile = try lab()
        _ = try provisioner(labFile).up()
        // A new process would open the lab's node file again: do the same.
        let directory = LabDirectory(root: root, lab: "ctl")
        let connection = try EmbeddedHost.open(in: directory)
        let stored = try connection.domains().map { try DomainSpec(xml: $0.xmlDescription()) }
        #expect(stored.compactMap(\.sysinfo?.system.serial).sorted() == ["CTL-0001", "CTL-0002", "CTL-0003"])
        #expect(stored.allSatisfy { $0.labMetadata?.lab == "ctl" && $0.os.smbiosMode == .sysinfo })
        let listed = try DeviceInventory.devices(in: directory)
        #expect(listed.map(\.serial) == ["CTL-0001", "CTL-0002", "CTL-0003"])
        #expect(listed.allSatisfy { $0.state == "shut off" && $0.groupTag == "Sales" && $0.mac?.hasPrefix("52:54:00") == true })
    }

    @Test func changedDevicesAreRedefinedAndRemovedOnesUndefined() throws {
        _ = try provisioner(try lab(count: 3)).up()
        let changes = try provisioner(try lab(count: 2, memory: 1024)).up()
        #expect(changes.map(\.action) == [.updated(fields: ["memory"]), .updated(fields: ["memory"]), .removed])
        #expect(changes.last?.device == "ctl-laptop-03")
        let listed = try DeviceInventory.devices(in: LabDirectory(root: root, lab: "ctl"))
        #expect(listed.map(\.name) == ["ctl-laptop-01", "ctl-laptop-02"])
    }

    @Test func aRunningDeviceIsUpdatedWithANote() throws {
        let directory = LabDirectory(root: root, lab: "ctl")
        _ = try provisioner(try lab()).up()
        let connection = try EmbeddedHost.open(in: directory)
        try connection.domain(named: "ctl-laptop-01").start()
        try EmbeddedHost.save(connection, in: directory)
        let changes = try provisioner(try lab(memory: 768)).up()
        #expect(changes[0].note?.contains("next power-on") == true)
        #expect(try DeviceInventory.devices(in: directory).first?.state == "running")
    }

    @Test func downRemovesOnlyThisLabsDevices() throws {
        _ = try provisioner(try lab(named: "one")).up()
        _ = try provisioner(try lab(named: "two")).up()
        let removed = try provisioner(try lab(named: "one")).down()
        #expect(removed.count == 3)
        #expect(try DeviceInventory.devices(in: LabDirectory(root: root, lab: "one")).isEmpty)
        #expect(try DeviceInventory.devices(in: LabDirectory(root: root, lab: "two")).count == 3)
    }

    /// Labs share a daemon: another lab's `down` can undefine a domain between a listing and the
    /// read of its metadata (a CI run's `up` failed so on qemu:///system). The listing goes on without it.
    @Test func aDomainUndefinedAfterTheListingIsSkipped() throws {
        let directory = LabDirectory(root: root, lab: "ctl")
        _ = try provisioner(try lab()).up()
        let host = try OpenHost.open(uri: "test:///default", directory: directory)
        let listed = try host.connection.domains()
        try host.connection.domain(named: "ctl-laptop-02").undefine()
        #expect(try host.labDomains(among: listed, lab: "ctl").map(\.domain.name).sorted() == ["ctl-laptop-01", "ctl-laptop-03"])
        #expect(try host.labDomains(among: listed, lab: nil).count == 2)
        // Only a vanished domain is passed over: any other failure still counts.
        #expect(try OpenHost.unlessUndefined { try host.connection.domain(named: "ctl-laptop-02") } == nil)
        #expect(throws: LibvirtError.self) { try OpenHost.unlessUndefined { try host.connection.defineDomain(xml: "<domain/>") } }
    }

    /// Puts a domain without pxelab metadata where the lab's third device would go.
    func placeForeignDomain(in directory: LabDirectory) throws {
        let connection = try EmbeddedHost.open(in: directory)
        _ = try connection.defineDomain(xml: """
            <domain type='test'><name>ctl-laptop-03</name><memory>65536</memory><os><type>hvm</type></os></domain>
            """)
        try EmbeddedHost.save(connection, in: directory)
    }

    @Test func aFailedUpIsRolledBack() throws {
        let directory = LabDirectory(root: root, lab: "ctl")
        try placeForeignDomain(in: directory)
        let error = #expect(throws: ProvisionError.self) { try provisioner(try lab()).up() }
        #expect(error?.description.contains("is not part of lab 'ctl'") == true)
        #expect(error?.rolledBack == ["undefine ctl-laptop-02", "undefine ctl-laptop-01"])
        #expect(try EmbeddedHost.open(in: directory).domains().map(\.name) == ["ctl-laptop-03"])
    }

    @Test func aFailedUpRestoresUpdatedDefinitions() throws {
        let directory = LabDirectory(root: root, lab: "ctl")
        _ = try provisioner(try lab(count: 2)).up()
        try placeForeignDomain(in: directory)
        #expect(throws: ProvisionError.self) { try provisioner(try lab(count: 3, memory: 2048)).up() }
        let memories = try EmbeddedHost.open(in: directory).domains().filter { $0.name != "ctl-laptop-03" }
            .map { try DomainSpec(xml: $0.xmlDescription([.inactive])).memoryKiB }
        #expect(memories == [524_288, 524_288])
    }
}

/// Needs libvirtd with the QEMU driver, which `make test` starts.
@Suite("bringing a lab up on qemu:///system", .needs(.libvirtQEMU))
struct SystemDaemonProvisionerTests {
    @Test func realDomainsCarryEachDevicesSerial() throws {
        let name = "t\(UUID().uuidString.prefix(6).lowercased())"
        let labFile = try lab(named: name, count: 2)
        let root = makeTemporaryDirectory("pxelab-state")
        let provisioner = LabProvisioner(labFile: labFile, directory: LabDirectory(root: root, lab: name),
                                         uriOverride: "qemu:///system")
        defer { _ = try? provisioner.down() }
        #expect(try provisioner.up().map(\.action) == [.defined, .defined])
        let connection = try Connection(uri: "qemu:///system")
        for device in labFile.devices {
            let stored = try DomainSpec(xml: connection.domain(named: device.name).xmlDescription([.inactive]))
            #expect(stored.type == .qemu)
            #expect(stored.sysinfo?.system.serial == device.identity.serial)
            #expect(stored.sysinfo?.system.uuid == device.identity.uuid.uuidString.lowercased())
            #expect(stored.networkBoot?.mac == device.identity.mac)
            #expect(stored.networkBoot?.bootFile == "shimx64.efi")
        }
        #expect(try provisioner.up().map(\.action) == [.unchanged, .unchanged])
        #expect(try provisioner.down().count == 2)
        #expect(try connection.domainIfExists(named: labFile.devices[0].name) == nil)
    }

    @Test func aWindows11ClassModelIsOVMFWithSecureBootAndATPMAndALegacyOneSeaBIOS() throws {
        let name = "t\(UUID().uuidString.prefix(6).lowercased())"
        let legacy = """
              - { model: legacy, name: \(name)-old, serial: "\(name.uppercased())-OLD" }
            """
        let labFile = try LabFile.parse("""
            lab: \(name)
            models:
              w11: { manufacturer: Contoso, product: Lab Laptop }
              legacy: { manufacturer: Contoso, product: Old Box, firmware: bios, tpm: none }
            fleet:
              - { model: w11, name: \(name)-new, serial: "\(name.uppercased())-NEW" }
            \(legacy)
            """, file: "firmware.yaml")
        let root = makeTemporaryDirectory("pxelab-state")
        let directory = LabDirectory(root: root, lab: name)
        let provisioner = LabProvisioner(labFile: labFile, directory: directory, uriOverride: "qemu:///system")
        defer { _ = try? provisioner.down() }
        _ = try provisioner.up()
        let connection = try Connection(uri: "qemu:///system")
        let new = try DomainSpec(xml: connection.domain(named: "\(name)-new").xmlDescription([.inactive]))
        #expect(new.os.machine?.hasPrefix("pc-q35-") == true)
        #expect(new.os.firmware == .uefi(.init(loader: "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", secureBoot: true,
                                               variables: directory.path("nvram/\(name)-new.fd").path,
                                               variablesTemplate: "/usr/share/OVMF/OVMF_VARS_4M.ms.fd")))
        #expect(new.tpm == DomainSpec.TPM(model: "tpm-crb", version: "2.0"))
        // Secure Boot's network path: shim from the lab's TFTP folder, the firmware's own NIC driver.
        #expect(new.networkBoot?.bootFile == "shimx64.efi")
        #expect(new.networkBoot?.tftpRoot == directory.tftp.path)
        #expect(new.networkBoot?.optionROM == "")
        let old = try DomainSpec(xml: connection.domain(named: "\(name)-old").xmlDescription([.inactive]))
        #expect(old.os.firmware == .bios && old.tpm == nil)
        #expect(old.os.machine?.hasPrefix("pc-q35-") == false)
        #expect(old.networkBoot?.bootFile == "http://10.0.2.2:7480/boot.ipxe" && old.networkBoot?.optionROM == nil)
        #expect(try provisioner.up().map(\.action) == [.unchanged, .unchanged])
    }
}
