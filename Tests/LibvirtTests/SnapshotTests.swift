import Foundation
import Testing
import Libvirt
import TestSupport

@Suite("libvirt snapshots on the test driver")
struct SnapshotTests {
    @Test func createListRevertDelete() throws {
        let connection = try Connection(uri: privateTestDriverURI())
        let domain = try connection.defineDomain(xml: testDomainXML(name: "snap"))
        try domain.start()

        let atOOBE = try domain.createSnapshot(xml: "<domainsnapshot><name>at-oobe</name></domainsnapshot>")
        #expect(atOOBE.name == "at-oobe")
        #expect(try atOOBE.isCurrent())
        #expect(try atOOBE.xmlDescription().contains("<name>at-oobe</name>"))

        try domain.destroy()
        _ = try domain.createSnapshot(xml: "<domainsnapshot><name>powered-off</name></domainsnapshot>")
        #expect(try domain.snapshots().map(\.name).sorted() == ["at-oobe", "powered-off"])

        // Reverting to a snapshot taken while running brings the domain back running.
        try domain.revert(to: try domain.snapshot(named: "at-oobe"))
        #expect(try domain.state().state == .running)

        try domain.snapshot(named: "powered-off").delete()
        #expect(try domain.snapshots().map(\.name) == ["at-oobe"])
        let error = #expect(throws: LibvirtError.self) { try domain.snapshot(named: "powered-off") }
        #expect(error?.code == .noDomainSnapshot)
    }

    @Test func undefineRemovesSnapshotMetadata() throws {
        let connection = try Connection(uri: privateTestDriverURI())
        let domain = try connection.defineDomain(xml: testDomainXML(name: "snapped"))
        _ = try domain.createSnapshot(xml: "<domainsnapshot><name>golden</name></domainsnapshot>")
        // Without the flag libvirt refuses to undefine a domain that has snapshots.
        let refused = #expect(throws: LibvirtError.self) { try domain.undefine([]) }
        #expect(refused?.code == .operationInvalid)
        try domain.undefine([.snapshotsMetadata])
        #expect(try connection.domainIfExists(named: "snapped") == nil)
    }
}
