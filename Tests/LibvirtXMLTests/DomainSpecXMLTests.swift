import Foundation
import Testing
import DeviceIdentity
import LibXML
import LibvirtXML

/// A spec that sets every field the type models.
func fullSpec(type: DomainSpec.HypervisorType = .qemu) -> DomainSpec {
    let mac = MACAddress("52:54:00:12:34:56")!
    return DomainSpec(
        type: type, name: "sales-01", uuid: UUID(uuidString: "e1556426-615a-8a4d-a4dc-885d7874f998"),
        title: "Contoso & Co <laptop>", memoryKiB: 524_288, vcpus: 2,
        sysinfo: SMBIOSSysinfo(
            bios: .init(vendor: "Microsoft Corporation", version: "25.103.143", date: "03/15/2025"),
            system: .init(manufacturer: "Microsoft Corporation", product: "Surface Laptop 5", version: "1.0",
                          serial: "0F3&<00001>", uuid: "e1556426-615a-8a4d-a4dc-885d7874f998",
                          sku: "Surface_Laptop_5_1950", family: "Surface"),
            baseBoard: .init(manufacturer: "Microsoft Corporation", product: "Surface Laptop 5", serial: "PB1234"),
            chassis: .init(manufacturer: "Microsoft Corporation", serial: "0F300001", asset: "ASSET-7")),
        os: .init(bootOrder: [.network, .hd], smbiosMode: .sysinfo),
        acpi: true,
        disks: [.init(path: "/var/lib/pxelab/sales-01.qcow2")],
        interfaces: type == .test ? [.init(kind: .user, mac: mac)] : [],
        serialConsole: .file("/var/log/pxelab/sales-01.log"),
        networkBoot: type == .test ? nil : QEMUNetworkBoot(bootFile: "http://10.0.2.2:7480/boot.ipxe", mac: mac),
        labMetadata: LabMetadata(lab: "demo", device: "sales-01", serial: "0F3&<00001>", model: "surface-laptop-5",
                                 groupTag: "Sales", mac: mac))
}

@Suite("DomainSpec XML")
struct DomainSpecXMLTests {
    @Test(arguments: DomainSpec.HypervisorType.allCases)
    func roundTrip(type: DomainSpec.HypervisorType) throws {
        let spec = fullSpec(type: type)
        #expect(try DomainSpec(xml: spec.xml()) == spec)
    }

    @Test func minimalSpecRoundTrips() throws {
        let spec = DomainSpec(type: .test, name: "bare", memoryKiB: 1024, vcpus: 1, os: .init(bootOrder: []), acpi: false)
        #expect(try DomainSpec(xml: spec.xml()) == spec)
    }

    @Test func writesTheElementsLibvirtExpects() throws {
        let document = try XMLDocument(parsing: fullSpec().xml())
        let root = document.root
        #expect(root.attribute("type") == "qemu")
        let system = try #require(root.child(named: "sysinfo")?.child(named: "system"))
        #expect(root.child(named: "sysinfo")?.attribute("type") == "smbios")
        let entries = system.children(named: "entry").map { ($0.attribute("name") ?? "", $0.text) }
        #expect(entries.map(\.0) == ["manufacturer", "product", "version", "serial", "uuid", "sku", "family"])
        #expect(entries.first { $0.0 == "serial" }?.1 == "0F3&<00001>")
        let bios = root.child(named: "sysinfo")?.child(named: "bios")?.children(named: "entry").map { ($0.attribute("name") ?? "", $0.text) }
        #expect(bios?.map(\.0) == ["vendor", "version", "date"])
        #expect(root.child(named: "os")?.child(named: "smbios")?.attribute("mode") == "sysinfo")
        #expect(root.child(named: "os")?.children(named: "boot").compactMap { $0.attribute("dev") } == ["network", "hd"])
        #expect(root.child(named: "features")?.child(named: "acpi") != nil)
        let args = root.child(named: "commandline", namespaceURI: QEMUNetworkBoot.namespaceURI)?
            .children(named: "arg", namespaceURI: QEMUNetworkBoot.namespaceURI).compactMap { $0.attribute("value") }
        #expect(args == ["-netdev", "user,id=pxe0,bootfile=http://10.0.2.2:7480/boot.ipxe",
                         "-device", "virtio-net-pci,netdev=pxe0,mac=52:54:00:12:34:56,bootindex=1,addr=0x10"])
        let metadata = root.child(named: "metadata")?.child(named: "device", namespaceURI: LabMetadata.namespaceURI)
        #expect(metadata?.child(named: "serial", namespaceURI: LabMetadata.namespaceURI)?.text == "0F3&<00001>")
    }

    /// A Windows 11-class machine: UEFI with Secure Boot (SMM on), its own variable store made
    /// from Microsoft's template, and a TPM 2.0 from swtpm.
    @Test func uefiWithSecureBootAndATPMRoundTrips() throws {
        var spec = fullSpec()
        spec.os.machine = "q35"
        spec.os.firmware = .uefi(.init(loader: "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", secureBoot: true,
                                       variables: "/var/lib/pxelab/nvram/sales-01_VARS.fd",
                                       variablesTemplate: "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"))
        spec.tpm = DomainSpec.TPM()
        let xml = spec.xml()
        let compact = xml.replacingOccurrences(of: #">\s+<"#, with: "><", options: .regularExpression)
        #expect(xml.contains(#"<loader readonly="yes" secure="yes" type="pflash">/usr/share/OVMF/OVMF_CODE_4M.secboot.fd</loader>"#))
        #expect(xml.contains(#"<nvram template="/usr/share/OVMF/OVMF_VARS_4M.ms.fd">/var/lib/pxelab/nvram/sales-01_VARS.fd</nvram>"#))
        #expect(compact.contains(#"<features><acpi/><smm state="on"/></features>"#))
        #expect(compact.contains(#"<tpm model="tpm-crb"><backend type="emulator" version="2.0"/></tpm>"#))
        #expect(try DomainSpec(xml: xml) == spec)
        // Without Secure Boot: no SMM.
        spec.os.firmware = .uefi(.init(loader: "/usr/share/OVMF/OVMF_CODE_4M.fd", secureBoot: false, variables: "/tmp/v.fd"))
        #expect(!spec.xml().contains("smm"))
        #expect(try DomainSpec(xml: spec.xml()) == spec)
    }

    /// libvirt's stored form adds attributes (formats) and TPM details this type does not model.
    @Test func readsTheFirmwareAndTPMAsLibvirtStoresThem() throws {
        let stored = """
            <domain type='kvm'><name>w11</name><memory unit='KiB'>1048576</memory>
            <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
            <loader readonly='yes' secure='yes' type='pflash' format='raw'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>
            <nvram template='/usr/share/OVMF/OVMF_VARS_4M.ms.fd' templateFormat='raw' format='raw'>/var/lib/libvirt/qemu/nvram/w11_VARS.fd</nvram>
            <boot dev='network'/></os>
            <features><acpi/><smm state='on'/></features>
            <devices><tpm model='tpm-crb'><backend type='emulator' version='2.0'><active_pcr_banks><sha256/></active_pcr_banks></backend>
            <alias name='tpm0'/></tpm></devices></domain>
            """
        let spec = try DomainSpec(xml: stored)
        #expect(spec.os.firmware == .uefi(.init(loader: "/usr/share/OVMF/OVMF_CODE_4M.ms.fd", secureBoot: true,
                                                variables: "/var/lib/libvirt/qemu/nvram/w11_VARS.fd",
                                                variablesTemplate: "/usr/share/OVMF/OVMF_VARS_4M.ms.fd")))
        #expect(spec.tpm == DomainSpec.TPM(model: "tpm-crb", version: "2.0"))
        var desired = spec
        desired.os.firmware = .bios
        desired.tpm = nil
        #expect(desired.drift(from: spec) == ["os.firmware", "tpm"])
        let error = #expect(throws: DomainXMLError.self) {
            try DomainSpec(xml: "<domain type='kvm'><name>w</name><memory>1</memory><os>\n<loader type='pflash'>/x.fd</loader></os></domain>")
        }
        #expect(error?.line == 2)
        #expect(error?.message.contains("<nvram>") == true)
    }

    @Test func readsMemoryInEveryUnit() throws {
        for (unit, value, kib) in [("KiB", 1024, 1024), ("MiB", 512, 524_288), ("GiB", 2, 2_097_152),
                                   ("bytes", 1_048_576, 1024), ("MB", 1000, 976_562)] {
            let xml = "<domain type='test'><name>m</name><memory unit='\(unit)'>\(value)</memory></domain>"
            #expect(try DomainSpec(xml: xml).memoryKiB == kib, "\(unit)")
        }
    }

    @Test func errorsNameTheLineAndProblem() {
        let cases: [(String, String)] = [
            ("<domain type='xen'><name>x</name><memory>1</memory></domain>", "is not one of test, qemu, kvm"),
            ("<domain type='test'>\n<memory>1</memory></domain>", "<name> is missing"),
            ("<domain type='test'><name>x</name></domain>", "<memory> is missing"),
            ("<domain type='test'><name>x</name>\n<memory unit='parsecs'>1</memory></domain>", "not a unit libvirt knows"),
            ("<domain type='test'><name>x</name><memory>lots</memory></domain>", "not a whole number"),
            ("<domain type='test'><name>x</name><uuid>nope</uuid><memory>1</memory></domain>", "not a UUID"),
            ("<domain type='test'><name>x</name><memory>1</memory><os><boot dev='usb'/></os></domain>", "not a boot device"),
            ("<vm/>", "not <domain>"),
            ("<domain", "Couldn't find end of Start Tag"),
        ]
        for (xml, message) in cases {
            let error = #expect(throws: DomainXMLError.self) { try DomainSpec(xml: xml, source: "case") }
            #expect(error?.message.contains(message) == true, "\(xml): \(error?.message ?? "no error")")
            #expect(error?.source == "case")
        }
        let located = #expect(throws: DomainXMLError.self) {
            try DomainSpec(xml: "<domain type='test'><name>x</name>\n\n<memory unit='parsecs'>1</memory></domain>")
        }
        #expect(located?.line == 3)
    }

    @Test func driftListsChangedFieldsAndIgnoresLibvirtDefaults() throws {
        let desired = fullSpec()
        var stored = desired
        stored.os.arch = "x86_64"
        stored.os.machine = "pc-i440fx-7.2"
        #expect(desired.drift(from: stored).isEmpty)
        stored.memoryKiB *= 2
        stored.sysinfo?.system.serial = "OTHER"
        #expect(desired.drift(from: stored) == ["memory", "sysinfo"])
    }
}

@Suite("QEMU network-boot NIC")
struct QEMUNetworkBootTests {
    @Test func argumentsRoundTripWithEscapedCommas() {
        let nic = QEMUNetworkBoot(bootFile: "http://10.0.2.2:7480/boot.ipxe?a=1,b=2", mac: MACAddress("52:54:00:aa:bb:cc")!,
                                  pciSlot: 0x11)
        #expect(nic.arguments[1] == "user,id=pxe0,bootfile=http://10.0.2.2:7480/boot.ipxe?a=1,,b=2")
        #expect(QEMUNetworkBoot(arguments: nic.arguments) == nic)
    }

    @Test func aSecureBootNICBootsShimFromQEMUsTFTPFolderWithoutAnOptionROM() {
        let nic = QEMUNetworkBoot(bootFile: "shimx64.efi", mac: MACAddress("52:54:00:aa:bb:cc")!,
                                  tftpRoot: "/labs/a,b/tftp", optionROM: "")
        #expect(nic.arguments[1] == "user,id=pxe0,tftp=/labs/a,,b/tftp,bootfile=shimx64.efi")
        #expect(nic.arguments[3].hasSuffix(",romfile="))
        #expect(QEMUNetworkBoot(arguments: nic.arguments) == nic)
    }

    @Test func unrelatedArgumentsAreNotANIC() {
        #expect(QEMUNetworkBoot(arguments: ["-display", "none"]) == nil)
        #expect(QEMUNetworkBoot(arguments: ["-netdev", "user,id=x", "-device", "virtio-net-pci,netdev=y,mac=52:54:00:00:00:01"]) == nil)
    }
}

@Suite("lab metadata")
struct LabMetadataTests {
    @Test func standaloneElementWithAndWithoutNamespace() throws {
        let metadata = LabMetadata(lab: "demo", device: "d1", serial: "S1", model: "m", groupTag: "T",
                                   mac: MACAddress("52:54:00:00:00:01"))
        #expect(try LabMetadata(xml: metadata.xml()) == metadata)
        // virDomainGetMetadata returns the element with its namespace stripped.
        let stripped = "<device><lab>demo</lab><id>d1</id><serial>S1</serial></device>"
        #expect(try LabMetadata(xml: stripped) == LabMetadata(lab: "demo", device: "d1", serial: "S1"))
        #expect(throws: DomainXMLError.self) { try LabMetadata(xml: "<device><lab>demo</lab></device>") }
    }
}
