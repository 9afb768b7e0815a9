internal import CLibvirt

/// A libvirt storage pool (`virStoragePoolPtr`): here, a directory of disk images.
public final class StoragePool: @unchecked Sendable {
    let handle: OpaquePointer
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    deinit {
        virStoragePoolFree(handle)
    }

    public var name: String { virStoragePoolGetName(handle).map { String(cString: $0) } ?? "" }

    /// Whether the pool is started.
    public func isActive() throws(LibvirtError) -> Bool {
        try check(virStoragePoolIsActive(handle), "virStoragePoolIsActive") == 1
    }

    /// The pool's `<pool>` document (`virStoragePoolGetXMLDesc`).
    public func xmlDescription() throws(LibvirtError) -> String {
        try takeString(virStoragePoolGetXMLDesc(handle, 0), "virStoragePoolGetXMLDesc")
    }

    /// Rescans the pool's directory (`virStoragePoolRefresh`).
    public func refresh() throws(LibvirtError) {
        try check(virStoragePoolRefresh(handle, 0), "virStoragePoolRefresh")
    }

    /// Stops the pool (`virStoragePoolDestroy`); a transient pool is then gone. Its volumes'
    /// files are left as they are.
    public func destroy() throws(LibvirtError) {
        try check(virStoragePoolDestroy(handle), "virStoragePoolDestroy")
    }

    /// Creates a volume from a `<volume>` document (`virStorageVolCreateXML`).
    public func createVolume(xml: String) throws(LibvirtError) -> StorageVolume {
        StorageVolume(handle: try unwrap(virStorageVolCreateXML(handle, xml, 0), "virStorageVolCreateXML"), pool: self)
    }

    /// Looks up a volume by name; nil when there is none.
    public func volumeIfExists(named name: String) throws(LibvirtError) -> StorageVolume? {
        guard let found = virStorageVolLookupByName(handle, name) else {
            let error = LibvirtError.last("virStorageVolLookupByName")
            if error.code == .noStorageVolume { return nil }
            throw error
        }
        return StorageVolume(handle: found, pool: self)
    }
}

/// A volume in a storage pool (`virStorageVolPtr`).
public final class StorageVolume: @unchecked Sendable {
    let handle: OpaquePointer
    public let pool: StoragePool

    init(handle: OpaquePointer, pool: StoragePool) {
        self.handle = handle
        self.pool = pool
    }

    deinit {
        virStorageVolFree(handle)
    }

    public var name: String { virStorageVolGetName(handle).map { String(cString: $0) } ?? "" }

    /// The volume's path on the host (`virStorageVolGetPath`).
    public func path() throws(LibvirtError) -> String {
        try takeString(virStorageVolGetPath(handle), "virStorageVolGetPath")
    }

    /// Deletes the volume (`virStorageVolDelete`).
    public func delete() throws(LibvirtError) {
        try check(virStorageVolDelete(handle, 0), "virStorageVolDelete")
    }

    /// Overwrites the volume's data with zeros (`virStorageVolWipe`).
    public func wipe() throws(LibvirtError) {
        try check(virStorageVolWipe(handle, 0), "virStorageVolWipe")
    }
}

extension Connection {
    /// Creates and starts a transient pool from a `<pool>` document (`virStoragePoolCreateXML`).
    public func createTransientPool(xml: String) throws(LibvirtError) -> StoragePool {
        StoragePool(handle: try unwrap(virStoragePoolCreateXML(handle, xml, 0), "virStoragePoolCreateXML"), connection: self)
    }

    /// Looks up a pool by name; nil when there is none.
    public func poolIfExists(named name: String) throws(LibvirtError) -> StoragePool? {
        guard let found = virStoragePoolLookupByName(handle, name) else {
            let error = LibvirtError.last("virStoragePoolLookupByName")
            if error.code == .noStoragePool { return nil }
            throw error
        }
        return StoragePool(handle: found, connection: self)
    }
}
