import Foundation
import Testing
import DeviceIdentity
import Libvirt
import LibvirtXML
import TestSupport

@Suite("DomainSpec through libvirt")
struct DomainSpecOnLibvirtTests {
    func spec(name: String, type: DomainSpec.HypervisorType, serial: String) -> DomainSpec {
        let uuid = UUID()
        let mac = MACAddress("52:54:00:0a:0b:0c")!
        return DomainSpec(
            type: type, name: name, uuid: uuid, memoryKiB: 65_536, vcpus: 1,
            sysinfo: SMBIOSSysinfo(system: .init(manufacturer: "Contoso", product: "Lab PC", serial: serial,
                                                 uuid: uuid.uuidString.lowercased(), sku: "LAB-SKU", family: "Lab"),
                                   baseBoard: .init(manufacturer: "Contoso", serial: "BOARD-1"),
                                   chassis: .init(manufacturer: "Contoso", serial: serial, asset: "ASSET-1")),
            os: .init(bootOrder: [.network, .hd], smbiosMode: .sysinfo),
            interfaces: type == .test ? [.init(kind: .user, mac: mac)] : [],
            networkBoot: type == .test ? nil : QEMUNetworkBoot(bootFile: "http://10.0.2.2:7480/boot.ipxe", mac: mac),
            labMetadata: LabMetadata(lab: "tests", device: name, serial: serial, mac: mac))
    }

    @Test func theTestDriverStoresWhatWeDefine() throws {
        let connection = try Connection(uri: privateTestDriverURI())
        let desired = spec(name: "stored", type: .test, serial: "TEST-SERIAL-1")
        let domain = try connection.defineDomain(xml: desired.xml())
        let stored = try DomainSpec(xml: domain.xmlDescription([.inactive]))
        #expect(desired.drift(from: stored) == [])
        #expect(stored.sysinfo?.system.serial == "TEST-SERIAL-1")
        #expect(stored.os.arch != nil)  // filled in by libvirt
    }

    /// Needs libvirtd with the QEMU driver, which `make test` starts.
    @Test(.needs(.libvirtQEMU)) func qemuSystemStoresTheSMBIOSSerial() throws {
        let connection = try Connection(uri: "qemu:///system")
        let name = "pxelab-test-\(UUID().uuidString.prefix(8).lowercased())"
        let serial = "QEMU-\(UUID().uuidString.prefix(6))"
        let domain = try connection.defineDomain(xml: spec(name: name, type: .qemu, serial: serial).xml())
        defer { try? domain.undefine([.snapshotsMetadata, .nvram]) }
        let stored = try DomainSpec(xml: domain.xmlDescription([.inactive]))
        #expect(stored.sysinfo?.system.serial == serial)
        #expect(stored.sysinfo?.chassis.asset == "ASSET-1")
        #expect(stored.networkBoot?.bootFile == "http://10.0.2.2:7480/boot.ipxe")
        #expect(stored.labMetadata?.serial == serial)
        #expect(try domain.metadata(namespaceURI: LabMetadata.namespaceURI)?.contains(serial) == true)
    }

    /// Needs libvirtd with the QEMU driver and OVMF: libvirt accepts a Secure Boot domain with a
    /// TPM 2.0 as written (q35, SMM, the pflash loader and a variable store from Microsoft's
    /// template) and stores it as it reads back.
    @Test(.needs(.libvirtQEMU)) func qemuSystemStoresUEFIWithSecureBootAndATPM() throws {
        let connection = try Connection(uri: "qemu:///system")
        let name = "pxelab-test-\(UUID().uuidString.prefix(8).lowercased())"
        var desired = spec(name: name, type: .qemu, serial: "UEFI-1")
        desired.os.machine = "q35"
        let firmware = DomainSpec.Firmware.uefi(.init(loader: "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", secureBoot: true,
                                                      variables: "/var/lib/libvirt/qemu/nvram/\(name)_VARS.fd",
                                                      variablesTemplate: "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"))
        desired.os.firmware = firmware
        desired.tpm = DomainSpec.TPM()
        let domain = try connection.defineDomain(xml: desired.xml())
        defer { try? domain.undefine([.snapshotsMetadata, .nvram, .tpm]) }
        let stored = try DomainSpec(xml: domain.xmlDescription([.inactive]))
        #expect(stored.os.firmware == firmware)
        #expect(stored.tpm == DomainSpec.TPM(model: "tpm-crb", version: "2.0"))
        #expect(stored.os.machine?.hasPrefix("pc-q35-") == true)
        #expect(desired.drift(from: stored) == [])
        #expect(try domain.xmlDescription([.inactive]).contains("<smm state='on'/>"))
    }

    /// Needs libvirtd with the QEMU driver: a real domain's power changes arrive as events from
    /// the daemon (a guest that powers itself off is seen the same way as this destroy).
    @Test(.needs(.libvirtQEMU)) func qemuSystemReportsPowerChangesAsEvents() async throws {
        let connection = try Connection(uri: "qemu:///system")
        let name = "pxelab-test-\(UUID().uuidString.prefix(8).lowercased())"
        let domain = try connection.defineDomain(xml: spec(name: name, type: .qemu, serial: "EVENTS-1").xml())
        defer { try? domain.undefine([.snapshotsMetadata, .nvram]) }
        let events = try connection.lifecycleEvents(for: domain)
        try domain.start()
        try domain.destroy()
        let received = try await withDeadline(seconds: 30) {
            var kinds: [DomainLifecycleEvent.Kind] = []
            for await event in events {
                kinds.append(event.kind)
                if case .stopped = event.kind { break }
            }
            return kinds
        }
        #expect(received.contains(.started(.booted)))
        #expect(received.last == .stopped(.destroyed))
    }
}
