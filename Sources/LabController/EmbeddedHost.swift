public import Foundation
public import LabService
public import Libvirt
import LibXML

/// The embedded default host: libvirt's test driver, running inside the pxelab process.
///
/// A lab file's `test:///default` means this host. The test driver keeps its domains in memory
/// only, so pxelab opens it on a node file in the lab folder (`test:///<lab folder>/embedded-libvirt.xml`,
/// a form of URI the test driver supports) and writes the domains back to that file after every
/// change. `pxelab up` in one command and `pxelab devices` in the next therefore see the same
/// fleet, with no daemon running.
public enum EmbeddedHost {
    /// The URI lab files use for the embedded default.
    public static let uri = "test:///default"
    /// The test driver's XML namespace for run state in a node file.
    static let testNamespace = "http://libvirt.org/schemas/domain/test/1.0"

    /// Whether a lab URI means the embedded default.
    public static func isEmbedded(_ uri: String) -> Bool { uri == Self.uri }

    /// The node file holding a lab's embedded domains.
    public static func nodeFile(in directory: LabDirectory) -> URL { directory.path("embedded-libvirt.xml") }

    /// Opens the lab's embedded host, creating an empty node file on first use.
    public static func open(in directory: LabDirectory) throws -> Connection {
        let file = nodeFile(in: directory)
        if !FileManager.default.fileExists(atPath: file.path) {
            try directory.create()
            try directory.writeAtomically(Data(XMLDocument(root: "node").serialized().utf8), to: file)
        }
        return try Connection(uri: "test://" + file.path)
    }

    /// Writes every domain of an embedded connection, with its run state, to the lab's node file.
    /// Domains are written one at a time (a lab of 10,000 devices never holds one document of
    /// every domain), each declaring the test driver's namespace for its run state.
    public static func save(_ connection: Connection, in directory: LabDirectory) throws {
        let domains = try connection.domains()
        try directory.writeAtomically(to: nodeFile(in: directory)) { file in
            try file.write(contentsOf: Data("<node>\n".utf8))
            for domain in domains {
                let definition = try XMLDocument(parsing: try domain.xmlDescription([.inactive, .secure]),
                                                 source: domain.name)
                let test = definition.root.declareNamespace(testNamespace, prefix: "test")
                let (state, _) = try domain.state()
                definition.root.append("runstate", text: String(state.rawValue), namespace: test)
                if try !domain.isPersistent() { definition.root.append("transient", namespace: test) }
                try file.write(contentsOf: Data((definition.serialized() + "\n").utf8))
            }
            try file.write(contentsOf: Data("</node>\n".utf8))
        }
    }
}
