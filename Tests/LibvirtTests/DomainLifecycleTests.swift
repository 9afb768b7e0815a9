import Foundation
import Testing
import Libvirt
import TestSupport

/// A minimal test-driver domain with an SMBIOS serial.
func testDomainXML(name: String, uuid: UUID = UUID(), serial: String = "LAB-0001") -> String {
    """
    <domain type='test'>
      <name>\(name)</name>
      <uuid>\(uuid.uuidString.lowercased())</uuid>
      <memory unit='MiB'>128</memory>
      <vcpu>1</vcpu>
      <sysinfo type='smbios'><system><entry name='serial'>\(serial)</entry></system></sysinfo>
      <os><type>hvm</type><boot dev='network'/><smbios mode='sysinfo'/></os>
    </domain>
    """
}

@Suite("libvirt domains on the test driver")
struct DomainLifecycleTests {
    let connection: Connection

    init() throws {
        connection = try Connection(uri: privateTestDriverURI())
    }

    @Test func connectionReportsTheTestDriver() throws {
        #expect(try connection.driverType().lowercased() == "test")
        #expect(try connection.canonicalURI().hasPrefix("test://"))
        #expect(connection.isAlive)
        #expect(try connection.libraryVersion().major >= 9)
        #expect(try connection.capabilities().contains("<capabilities>"))
    }

    @Test func defineStartStopUndefine() throws {
        let uuid = UUID()
        let domain = try connection.defineDomain(xml: testDomainXML(name: "d1", uuid: uuid))
        #expect(domain.name == "d1")
        #expect(try domain.uuid() == uuid)
        #expect(try domain.state().state == .shutOff)
        #expect(try domain.isPersistent())

        try domain.start()
        #expect(try domain.state().state == .running)
        #expect(try domain.isActive())

        try domain.suspend()
        #expect(try domain.state().state == .paused)
        try domain.resume()
        #expect(try domain.state().state == .running)
        try domain.reboot()
        try domain.reset()
        #expect(try domain.state().state == .running)

        try domain.destroy()
        #expect(try domain.state().state == .shutOff)

        try domain.undefine()
        let error = #expect(throws: LibvirtError.self) { try connection.domain(named: "d1") }
        #expect(error?.code == .noDomain)
        #expect(try connection.domainIfExists(named: "d1") == nil)
    }

    @Test func lookupByNameAndUUIDAndListAll() throws {
        let uuid = UUID()
        _ = try connection.defineDomain(xml: testDomainXML(name: "a", uuid: uuid))
        _ = try connection.defineDomain(xml: testDomainXML(name: "b"))
        try connection.domain(named: "b").start()

        #expect(try connection.domain(uuid: uuid).name == "a")
        #expect(try connection.domains().map(\.name).sorted() == ["a", "b"])
        #expect(try connection.domains(matching: .active).map(\.name) == ["b"])
        #expect(try connection.domains(matching: .inactive).map(\.name) == ["a"])
    }

    @Test func xmlDescriptionCarriesTheSMBIOSSerial() throws {
        let domain = try connection.defineDomain(xml: testDomainXML(name: "smbios", serial: "SER-42"))
        let xml = try domain.xmlDescription([.inactive])
        #expect(xml.contains("<entry name='serial'>SER-42</entry>"))
    }

    @Test func shutdownStopsARunningDomain() throws {
        let domain = try connection.defineDomain(xml: testDomainXML(name: "s"))
        try domain.start()
        try domain.shutdown()
        #expect(try domain.state().state == .shutOff)
    }

    @Test func transientDomainsDisappearWhenDestroyed() throws {
        let domain = try connection.createTransientDomain(xml: testDomainXML(name: "t"))
        #expect(try !domain.isPersistent())
        #expect(try domain.isActive())
        try domain.destroy()
        #expect(try connection.domainIfExists(named: "t") == nil)
    }

    @Test func metadataIsStoredAndRead() throws {
        let domain = try connection.defineDomain(xml: testDomainXML(name: "m"))
        let namespace = "https://example.test/ns/1"
        #expect(try domain.metadata(namespaceURI: namespace) == nil)
        try domain.setMetadata("<info><owner>qa</owner></info>", key: "ex", namespaceURI: namespace)
        let stored = try #require(try domain.metadata(namespaceURI: namespace))
        #expect(stored.contains("<owner>qa</owner>"))
        try domain.setMetadata(nil, key: "ex", namespaceURI: namespace)
        #expect(try domain.metadata(namespaceURI: namespace) == nil)
    }

    @Test func sendKeyAndScreenshot() throws {
        let domain = try connection.defineDomain(xml: testDomainXML(name: "k"))
        try domain.start()
        // Ctrl + Win + R, the Autopilot Reset chord, in Linux key codes.
        try domain.sendKey([29, 125, 19], holdTime: 50)
        let file = makeTemporaryDirectory().appendingPathComponent("screen.png")
        let mime = try domain.screenshot(to: file)
        #expect(mime == "image/png")
        let bytes = try Data(contentsOf: file)
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test func sendKeyToAStoppedDomainFailsWithLibvirtsError() throws {
        let domain = try connection.defineDomain(xml: testDomainXML(name: "off"))
        let error = #expect(throws: LibvirtError.self) { try domain.sendKey([28]) }
        #expect(error?.code == .operationInvalid)
        #expect(error?.function == "virDomainSendKey")
    }
}

@Suite("libvirt errors")
struct LibvirtErrorTests {
    @Test func definingADuplicateNameReportsLibvirtsOwnError() throws {
        let connection = try Connection(uri: privateTestDriverURI())
        _ = try connection.defineDomain(xml: testDomainXML(name: "dup", uuid: UUID()))
        let error = #expect(throws: LibvirtError.self) {
            try connection.defineDomain(xml: testDomainXML(name: "dup", uuid: UUID()))
        }
        #expect(error?.message.contains("already exists") == true)
        #expect(error?.code == .operationFailed)
        #expect(error?.function == "virDomainDefineXML")
    }

    @Test func malformedXMLIsAnXMLError() throws {
        let connection = try Connection(uri: privateTestDriverURI())
        let error = #expect(throws: LibvirtError.self) { try connection.defineDomain(xml: "<domain type='test'>") }
        #expect(error.map { [.xmlError, .xmlDetail].contains($0.code) } == true)
    }

    @Test func anUnknownDriverCannotBeOpened() {
        let error = #expect(throws: LibvirtError.self) { try Connection(uri: "nosuchdriver:///system") }
        #expect(error?.code == .noConnect)
        #expect(error?.function == "virConnectOpen")
    }
}
