import Foundation
public import LabService
public import Libvirt
import LibvirtXML
public import LabFiles

/// Brings a lab's fleet up on its libvirt hosts and takes it down again.
///
/// `up` converges: devices missing from a host are defined, devices whose definition differs
/// from the lab file are redefined, devices the lab file no longer declares are removed, and
/// everything else is left alone, so a second `up` changes nothing. If any step fails, the
/// changes already made are undone in reverse order, so a failed `up` leaves the hosts as they
/// were. Domains that do not carry this lab's metadata are never touched.
public struct LabProvisioner: Sendable {
    public let labFile: LabFile
    public let directory: LabDirectory
    /// Replaces every host's URI when set (`--libvirt`).
    public let uriOverride: String?
    public let builder: DeviceDomain

    public init(labFile: LabFile, directory: LabDirectory, uriOverride: String? = nil,
                endpointPort: Int = Lab.defaultEndpointPort) {
        self.labFile = labFile
        self.directory = directory
        self.uriOverride = uriOverride
        self.builder = DeviceDomain(labFile: labFile, directory: directory, endpointPort: endpointPort, uriOverride: uriOverride)
    }

    /// Defines, updates and removes domains until the hosts match the lab file. `embedded` is
    /// the lab's embedded host when the caller already has it open (a run goes on using it;
    /// opening it reads every domain from the node file).
    public func up(embedded: Connection? = nil) throws -> [DeviceChange] {
        try directory.withLock {
            // Devices that name no host go where the lab's placement puts them, and stay there
            // (`--libvirt` puts them all on its URI).
            let labFile = uriOverride != nil ? labFile : try HostPlacement.resolve(labFile, in: directory)
            let builder = DeviceDomain(labFile: labFile, directory: directory, endpointPort: builder.endpointPort, uriOverride: uriOverride)
            let journal = UndoJournal()
            var hosts: [OpenHost] = []
            do {
                var changes: [DeviceChange] = []
                var removals: [(OpenHost, Domain)] = []
                let byURI = Dictionary(grouping: labFile.devices) { builder.host(of: $0).uri }
                // The lab file's other hosts the lab was on before are visited too: a device moved
                // away is removed there. (Hosts it no longer names are left to `down`.)
                let named = Set(labFile.hosts.map(\.uri))
                let earlier = uriOverride == nil ? (try LabPlacement.load(from: directory)?.uris ?? []).filter(named.contains) : []
                hosts = try OpenHost.open(uris: Set(byURI.keys).union(earlier).sorted(), directory: directory, embedded: embedded)
                for host in hosts {
                    let uri = host.uri
                    let hypervisor = try host.hypervisor()
                    let devices = byURI[uri] ?? []
                    if hypervisor != .test && !devices.isEmpty {
                        // Each host's VMs must be told where the endpoint is before any is defined.
                        for device in devices { _ = try builder.bootAddress(of: builder.host(of: device)) }
                        // QEMU writes each serial console to console/<device>.log and keeps state on a
                        // disk; a UEFI VM keeps its variables in nvram/<device>.fd.
                        try checkFirmware(of: devices, on: uri, labFile: labFile)
                        for folder in ["console", "nvram"] {
                            try FileManager.default.createDirectory(at: directory.path(folder), withIntermediateDirectories: true)
                        }
                        try StateDisks(lab: labFile.lab, directory: directory)
                            .ensure(for: devices.map(\.name), on: host.connection)
                    }
                    // Devices converge side by side (libvirt connections are thread-safe, and each
                    // definition is libvirt parsing a document): a fleet of 10,000 takes half the time.
                    let results = ConcurrentResults<DeviceChange>(count: devices.count)
                    DispatchQueue.concurrentPerform(iterations: devices.count) { index in
                        results.set(index, Result {
                            try converge(builder.spec(for: devices[index], hypervisor: hypervisor), on: host, journal: journal)
                        })
                    }
                    changes += try results.values()
                    let declared = Set(devices.map(\.name))
                    for (domain, _) in try host.labDomains(lab: labFile.lab) where !declared.contains(domain.name) {
                        removals.append((host, domain))
                    }
                }
                // Removals cannot be undone once a running domain is destroyed, so they come last,
                // after everything that can fail has succeeded.
                for (host, domain) in removals {
                    try remove(domain)
                    changes.append(DeviceChange(device: domain.name, uri: host.uri, action: .removed))
                }
                try hosts.forEach { try $0.persist() }
                try record(adding: Set(byURI.keys), labFile: labFile)
                return changes
            } catch {
                var undone = journal.rollBack()
                do {
                    try hosts.forEach { try $0.persist() }
                } catch let save {
                    undone.append("(the embedded host's state could not be saved after the rollback: \(save))")
                }
                throw ProvisionError(underlying: error, rolledBack: undone)
            }
        }
    }

    /// Destroys and undefines every domain carrying this lab's metadata on the lab's hosts.
    public func down() throws -> [DeviceChange] {
        try directory.withLock {
            var uris = Set(try LabPlacement.load(from: directory)?.uris ?? [])
            if let uriOverride { uris = [uriOverride] } else { uris.formUnion(labFile.hosts.map(\.uri)) }
            var changes: [DeviceChange] = []
            for host in try OpenHost.open(uris: uris.sorted(), directory: directory) {
                let uri = host.uri
                for (domain, _) in try host.labDomains(lab: labFile.lab) {
                    try remove(domain)
                    changes.append(DeviceChange(device: domain.name, uri: uri, action: .removed))
                }
                if try host.hypervisor() != .test {
                    try StateDisks(lab: labFile.lab, directory: directory).release(on: host.connection)
                }
                try host.persist()
            }
            var record = try LabPlacement.load(from: directory, orNewFor: labFile)
            record.uris.removeAll { uris.contains($0) }
            if record.uris.isEmpty { (record.devices, record.hosts) = (nil, nil) }  // nothing is placed any more: the next up places afresh
            try record.save(to: directory)
            return changes
        }
    }

    private func converge(_ desired: DomainSpec, on host: OpenHost, journal: UndoJournal) throws -> DeviceChange {
        let connection = host.connection
        guard let existing = try connection.domainIfExists(named: desired.name) else {
            let domain = try connection.defineDomain(xml: desired.xml())
            journal.record("undefine \(desired.name)") { try domain.undefine(Self.undefineFlags(desired)) }
            return DeviceChange(device: desired.name, uri: host.uri, action: .defined)
        }
        let storedXML = try existing.xmlDescription([.inactive, .secure])
        let stored = try DomainSpec(xml: storedXML, source: "\(host.uri) domain \(desired.name)")
        guard stored.labMetadata?.lab == labFile.lab else {
            throw ProvisionError.Conflict(message: "domain '\(desired.name)' on \(host.uri) is not part of lab "
                + "'\(labFile.lab)' (it belongs to \(stored.labMetadata.map { "lab '\($0.lab)'" } ?? "no pxelab lab")); "
                + "rename the device or remove that domain")
        }
        let running = try existing.isActive()
        if stored.uuid != desired.uuid {
            guard !running else {
                throw ProvisionError.Conflict(message: "domain '\(desired.name)' on \(host.uri) must get a new UUID "
                    + "but is running; stop it first (pxelab down, or power it off)")
            }
            try existing.undefine(Self.undefineFlags(stored))
            journal.record("restore \(desired.name)") { _ = try connection.defineDomain(xml: storedXML) }
            let domain = try connection.defineDomain(xml: desired.xml())
            journal.record("undefine \(desired.name)") { try domain.undefine(Self.undefineFlags(desired)) }
            return DeviceChange(device: desired.name, uri: host.uri, action: .replaced)
        }
        let drift = desired.drift(from: stored)
        guard !drift.isEmpty else { return DeviceChange(device: desired.name, uri: host.uri, action: .unchanged) }
        _ = try connection.defineDomain(xml: desired.xml())
        journal.record("restore \(desired.name)") { _ = try connection.defineDomain(xml: storedXML) }
        return DeviceChange(device: desired.name, uri: host.uri, action: .updated(fields: drift),
                            note: running ? "running: the new definition applies at its next power-on" : nil)
    }

    private func remove(_ domain: Domain) throws {
        if try domain.isActive() { try domain.destroy() }
        if try domain.isPersistent() {
            let spec = try DomainSpec(xml: domain.xmlDescription([.inactive]), source: domain.name)
            try domain.undefine(Self.undefineFlags(spec))
        }
    }

    /// QEMU domains also lose their NVRAM, checkpoint metadata and swtpm's state (the TPM's EK
    /// and certificate); the test driver accepts fewer flags.
    static func undefineFlags(_ spec: DomainSpec) -> Domain.UndefineFlags {
        guard spec.type != .test else { return [.snapshotsMetadata, .managedSave] }
        var flags: Domain.UndefineFlags = [.snapshotsMetadata, .managedSave, .nvram, .checkpointsMetadata]
        if spec.tpm != nil { flags.insert(.tpm) }
        return flags
    }

    /// Refuses, before anything is defined, UEFI devices whose firmware (or, with Secure Boot,
    /// signed boot chain) this machine lacks.
    private func checkFirmware(of devices: [LabDevice], on uri: String, labFile: LabFile) throws {
        let models = devices.map { labFile.model(of: $0) }.filter { $0.firmware == .uefi }
        for secureBoot in Set(models.map(\.secureBoot)) {
            if let missing = OVMF.missing(secureBoot: secureBoot) { throw LabError.missingOnHost("\(uri): \(missing)") }
            // The endpoint lays the signed chain out for Secure Boot VMs' network boot.
            if secureBoot, let missing = SignedBootChain.missing { throw LabError.missingOnHost(missing) }
        }
    }

    /// Adds the hosts the lab's devices are on now to the ones `down` visits.
    private func record(adding uris: Set<String>, labFile: LabFile) throws {
        try LabPlacement.remember(labFile: labFile, in: directory)
        var record = try LabPlacement.load(from: directory, orNewFor: labFile)
        record.uris = Array(Set(record.uris).union(uris)).sorted()
        try record.save(to: directory)
    }
}

/// What `up` or `down` did to one device.
public struct DeviceChange: Sendable, Equatable {
    public var device: String
    public var uri: String
    public var action: Action
    public var note: String?

    public init(device: String, uri: String, action: Action, note: String? = nil) {
        self.device = device
        self.uri = uri
        self.action = action
        self.note = note
    }

    public enum Action: Sendable, Equatable {
        case defined
        /// Redefined because these fields changed.
        case updated(fields: [String])
        /// Undefined and defined again (its UUID changed).
        case replaced
        case unchanged
        case removed
    }
}

/// A failed `up`, after its changes were undone.
public struct ProvisionError: Error, CustomStringConvertible {
    public let underlying: any Error
    /// The changes that were undone, in the order they were undone.
    public let rolledBack: [String]

    public var description: String {
        let undone = rolledBack.isEmpty ? "nothing had changed" : "undid: " + rolledBack.joined(separator: ", ")
        return "\(underlying) (\(undone))"
    }

    /// A domain that is in the way of the lab.
    public struct Conflict: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}

/// Undo actions for the steps of an operation, run in reverse when it fails. Steps may be
/// recorded from several threads; each thread's own steps keep their order.
final class UndoJournal: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(label: String, undo: () throws -> Void)] = []

    func record(_ label: String, _ undo: @escaping () throws -> Void) {
        lock.withLock { entries.append((label, undo)) }
    }

    /// Undoes every recorded step, newest first; returns the labels of the steps undone.
    func rollBack() -> [String] {
        lock.withLock { entries }.reversed().map { entry in
            do {
                try entry.undo()
                return entry.label
            } catch {
                return "\(entry.label) (failed: \(error))"
            }
        }
    }
}

/// The results of work done side by side, one per index, read back in index order.
final class ConcurrentResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Value, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Value, any Error>) { lock.withLock { results[index] = result } }

    /// Every value in order, or the first error in index order.
    func values() throws -> [Value] {
        try lock.withLock { results }.map { try $0!.get() }
    }
}
