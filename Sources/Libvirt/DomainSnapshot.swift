import Foundation
internal import CLibvirt

/// A snapshot of a domain (`virDomainSnapshotPtr`). Owns its reference.
public final class DomainSnapshot: @unchecked Sendable {
    let handle: OpaquePointer
    /// The domain the snapshot belongs to.
    public let domain: Domain

    init(handle: OpaquePointer, domain: Domain) {
        self.handle = handle
        self.domain = domain
    }

    deinit {
        virDomainSnapshotFree(handle)
    }

    /// The snapshot's name.
    public var name: String {
        virDomainSnapshotGetName(handle).map { String(cString: $0) } ?? ""
    }

    /// The snapshot's XML description (`virDomainSnapshotGetXMLDesc`).
    public func xmlDescription() throws(LibvirtError) -> String {
        try takeString(virDomainSnapshotGetXMLDesc(handle, 0), "virDomainSnapshotGetXMLDesc")
    }

    /// Whether this is the domain's current snapshot.
    public func isCurrent() throws(LibvirtError) -> Bool {
        try check(virDomainSnapshotIsCurrent(handle, 0), "virDomainSnapshotIsCurrent") == 1
    }

    /// Deletes the snapshot (`virDomainSnapshotDelete`).
    public func delete(_ flags: DeleteFlags = []) throws(LibvirtError) {
        try check(virDomainSnapshotDelete(handle, flags.rawValue), "virDomainSnapshotDelete")
    }

    /// Flags for ``delete(_:)``.
    public struct DeleteFlags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let children = Self(rawValue: VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN.rawValue)
        public static let metadataOnly = Self(rawValue: VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY.rawValue)
    }
}

extension Domain {
    /// Takes a snapshot described by a `<domainsnapshot>` document (`virDomainSnapshotCreateXML`).
    public func createSnapshot(xml: String, _ flags: SnapshotCreateFlags = []) throws(LibvirtError) -> DomainSnapshot {
        let created = virDomainSnapshotCreateXML(handle, xml, flags.rawValue)
        return DomainSnapshot(handle: try unwrap(created, "virDomainSnapshotCreateXML"), domain: self)
    }

    /// Flags for ``createSnapshot(xml:_:)``.
    public struct SnapshotCreateFlags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Redefine snapshot metadata (restoring a snapshot list).
        public static let redefine = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE.rawValue)
        /// With `redefine`, make the snapshot current.
        public static let current = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT.rawValue)
        /// Stop the domain after the snapshot.
        public static let halt = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_HALT.rawValue)
        /// Snapshot disks only, not memory.
        public static let diskOnly = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY.rawValue)
        /// All or nothing.
        public static let atomic = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC.rawValue)
        /// Validate the XML against libvirt's schema.
        public static let validate = Self(rawValue: VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE.rawValue)
    }

    /// Every snapshot of the domain (`virDomainListAllSnapshots`).
    public func snapshots() throws(LibvirtError) -> [DomainSnapshot] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = try check(virDomainListAllSnapshots(handle, &list, 0), "virDomainListAllSnapshots")
        guard let list else { return [] }
        defer { free(list) }
        return (0..<Int(count)).compactMap { index in list[index].map { DomainSnapshot(handle: $0, domain: self) } }
    }

    /// Looks up a snapshot by name. Throws ``LibvirtError/Code/noDomainSnapshot`` when there is none.
    public func snapshot(named name: String) throws(LibvirtError) -> DomainSnapshot {
        let found = virDomainSnapshotLookupByName(handle, name, 0)
        return DomainSnapshot(handle: try unwrap(found, "virDomainSnapshotLookupByName"), domain: self)
    }

    /// Looks up a snapshot by name; nil when there is none.
    public func snapshotIfExists(named name: String) throws(LibvirtError) -> DomainSnapshot? {
        guard let found = virDomainSnapshotLookupByName(handle, name, 0) else {
            let error = LibvirtError.last("virDomainSnapshotLookupByName")
            if error.code == .noDomainSnapshot { return nil }
            throw error
        }
        return DomainSnapshot(handle: found, domain: self)
    }

    /// Reverts the domain to a snapshot (`virDomainRevertToSnapshot`).
    public func revert(to snapshot: DomainSnapshot, _ flags: RevertFlags = []) throws(LibvirtError) {
        try check(virDomainRevertToSnapshot(snapshot.handle, flags.rawValue), "virDomainRevertToSnapshot")
    }

    /// Flags for ``revert(to:_:)``.
    public struct RevertFlags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Run the domain after reverting, whatever state the snapshot recorded.
        public static let running = Self(rawValue: VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING.rawValue)
        /// Leave the domain paused after reverting.
        public static let paused = Self(rawValue: VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED.rawValue)
        /// Allow reverts libvirt considers risky.
        public static let force = Self(rawValue: VIR_DOMAIN_SNAPSHOT_REVERT_FORCE.rawValue)
    }
}
