public import Foundation
public import LabTopology
public import LabStore

/// A lab opened for work: its lab file, its state folder, its store and its Autopilot service.
/// Opening registers the lab file's devices that are not registered yet.
public final class Lab: Sendable {
    public let topology: Topology
    public let directory: LabDirectory
    public let store: LabStore
    public let autopilot: AutopilotService

    public init(topology: Topology, stateRoot: URL, clock: @escaping @Sendable () -> Date = Date.init) throws {
        self.topology = topology
        self.directory = LabDirectory(root: stateRoot, lab: topology.lab)
        try directory.create()
        self.store = try LabStore(path: directory.path(LabStore.fileName()))
        // The lab file's configuration, or the stored one while the lab file has not changed since
        // (changes made through the admin API live there).
        let configuration = try store.configuration(fromLabFile: topology.serviceConfiguration)
        self.autopilot = AutopilotService(store: store, configuration: configuration, clock: clock)
        try autopilot.registerFleet(of: topology)
        try LabRecord.remember(topology: topology, in: directory)
    }

    /// The lab file of the only lab under a state root, for commands run without `--lab`.
    public static func onlyLabFile(under root: URL) throws -> String {
        let labs = LabDirectory.all(under: root).compactMap { LabRecord.load(from: $0)?.topologyFile }
        guard labs.count == 1 else {
            throw LabSelectionError(message: labs.isEmpty
                ? "no lab in \(root.path); name one with --lab FILE"
                : "several labs in \(root.path) (\(labs.joined(separator: ", "))); name one with --lab FILE")
        }
        return labs[0]
    }
}

/// No lab, or more than one, where a command needs exactly one.
public struct LabSelectionError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension LabRecord {
    /// Records the lab file of a lab, keeping the hosts it was brought up on.
    static func remember(topology: Topology, in directory: LabDirectory) throws {
        let file = URL(fileURLWithPath: topology.source).standardizedFileURL.path
        var record = load(from: directory) ?? LabRecord(topologyFile: file, uris: [])
        guard record.topologyFile != file || !FileManager.default.fileExists(atPath: directory.path(fileName).path) else { return }
        record.topologyFile = file
        try record.save(to: directory)
    }
}
