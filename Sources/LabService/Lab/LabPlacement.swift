import Foundation
import DeviceProtocol
public import LabFiles

/// What `pxelab up` remembers about a lab: its file and the libvirt hosts it was brought up on,
/// so that `pxelab devices` and `pxelab down` find the lab's domains again.
public struct LabPlacement: Codable, Sendable, Equatable {
    static let fileName = "lab.json"

    /// The lab file, as an absolute path.
    public var labFilePath: String
    /// The libvirt URIs the lab's devices were defined on.
    public var uris: [String]
    /// The lab file's host each device is on, by device name (nil in records of earlier versions).
    public var devices: [String: String]?
    /// Those hosts' URIs by name, as the lab file had them when its devices were placed.
    public var hosts: [String: String]?

    private enum CodingKeys: String, CodingKey {
        case labFilePath = "topologyFile"  // as earlier versions wrote lab.json
        case uris, devices, hosts
    }

    /// The lab file's host a device is on, by name, when the record places it on `uri`; nil when
    /// it does not (a device brought up with `--libvirt` is on no host of the lab file).
    public func hostName(of device: String, on uri: String) -> String? {
        guard let name = devices?[device], hosts?[name] == uri else { return nil }
        return name
    }

    public init(labFilePath: String, uris: [String]) {
        self.labFilePath = labFilePath
        self.uris = uris
    }

    /// The record in a lab folder; nil when the lab was never brought up there. A record that
    /// cannot be read is an error: the hosts it names are where the lab's domains are.
    public static func load(from directory: LabDirectory) throws(LabError) -> LabPlacement? {
        let file = directory.path(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        do {
            return try JSONDecoder().decode(LabPlacement.self, from: Data(contentsOf: file))
        } catch {
            throw .unreadable(file: file.path, problem: error is DecodingError ? ProtocolJSON.problem(error) : "\(error)")
        }
    }

    public func save(to directory: LabDirectory) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try directory.create()
        try directory.writeAtomically(try encoder.encode(self), to: directory.path(Self.fileName))
    }
}

extension LabPlacement {
    /// The record in a lab folder, or a new one for `labFile` when the lab was never brought up there.
    public static func load(from directory: LabDirectory, orNewFor labFile: LabFile) throws -> LabPlacement {
        try load(from: directory) ?? LabPlacement(labFilePath: path(of: labFile), uris: [])
    }

    /// A lab file's path as the record keeps it: absolute.
    static func path(of labFile: LabFile) -> String { URL(fileURLWithPath: labFile.source).standardizedFileURL.path }

    /// Records the lab file of a lab, keeping the hosts it was brought up on.
    public static func remember(labFile: LabFile, in directory: LabDirectory) throws {
        let file = path(of: labFile)
        var record = try load(from: directory, orNewFor: labFile)
        guard record.labFilePath != file || !FileManager.default.fileExists(atPath: directory.path(fileName).path) else { return }
        record.labFilePath = file
        try record.save(to: directory)
    }
}
