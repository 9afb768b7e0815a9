import Foundation
import LabService
import Libvirt
import LibvirtXML
import LabFiles

/// An open libvirt host of a lab, embedded or not.
struct OpenHost: Sendable {
    let uri: String
    let connection: Connection
    let embedded: Bool
    let directory: LabDirectory

    /// Opens lab URIs, the libvirt hosts side by side (``HostReachability/connect(_:)``);
    /// `test:///default` opens the lab's embedded host (or takes `embedded`, that host already open).
    static func open(uris: [String], directory: LabDirectory, embedded: Connection? = nil) throws -> [OpenHost] {
        var seen = Set<String>()
        let daemons = uris.filter { !EmbeddedHost.isEmbedded($0) && seen.insert($0).inserted }
        let connections = Dictionary(uniqueKeysWithValues: zip(daemons, try HostReachability.connect(daemons)))
        return try uris.map { uri in
            if let connection = connections[uri] {
                return OpenHost(uri: uri, connection: connection, embedded: false, directory: directory)
            }
            return OpenHost(uri: uri, connection: try embedded ?? EmbeddedHost.open(in: directory), embedded: true, directory: directory)
        }
    }

    /// Opens one lab URI (see ``open(uris:directory:embedded:)``).
    static func open(uri: String, directory: LabDirectory) throws -> OpenHost {
        try open(uris: [uri], directory: directory)[0]
    }

    /// The domain type for this host's driver: `test` for the test driver, `qemu` (TCG) otherwise.
    func hypervisor() throws -> DomainSpec.HypervisorType {
        try connection.driverType().lowercased() == "test" ? .test : .qemu
    }

    /// Saves the embedded host's state; nothing to do for a real daemon.
    func persist() throws {
        if embedded { try EmbeddedHost.save(connection, in: directory) }
    }

    /// The domains on this host that carry a given lab's metadata (any lab's when nil). A domain
    /// whose pxelab metadata cannot be read is an error: it may be the lab's, and left behind.
    func labDomains(lab: String?) throws -> [(domain: Domain, metadata: LabMetadata)] {
        try labDomains(among: connection.domains(), lab: lab)
    }

    /// ``labDomains(lab:)`` among domains listed earlier. One undefined since it was listed (another
    /// lab's `down` on a shared host, between the listing and the read) is skipped, not an error.
    func labDomains(among listed: [Domain], lab: String?) throws -> [(domain: Domain, metadata: LabMetadata)] {
        try listed.compactMap { domain in
            guard let xml = try Self.unlessUndefined({ try domain.metadata(namespaceURI: LabMetadata.namespaceURI) }) ?? nil else {
                return nil
            }
            let metadata: LabMetadata
            do {
                metadata = try LabMetadata(xml: xml, source: domain.name)
            } catch {
                throw ProvisionError.Conflict(message: "domain '\(domain.name)' on \(uri) carries pxelab metadata that cannot be "
                                              + "read (\(error)); fix or undefine it")
            }
            return lab == nil || metadata.lab == lab ? (domain, metadata) : nil
        }
    }

    /// A read of a listed domain, or nil when the domain has been undefined since (`VIR_ERR_NO_DOMAIN`):
    /// other labs share a daemon, and their `up` and `down` run while a listing is read.
    static func unlessUndefined<Value>(_ read: () throws -> Value) throws -> Value? {
        do {
            return try read()
        } catch let error as LibvirtError where error.code == .noDomain {
            return nil
        }
    }
}
