public import Foundation
internal import CLibvirt

/// A connection to a libvirt hypervisor driver (`virConnectPtr`).
///
/// Any URI libvirt accepts works: `test:///default` (libvirt's test driver, in-process, no
/// daemon), `test:///path/to/node.xml` (a test driver with private state loaded from a file),
/// `qemu:///system`, `qemu:///session` and remote URIs such as `qemu+ssh://host/system`.
///
/// libvirt connections are thread-safe, so one `Connection` can be shared by concurrent tasks.
/// Calls block while libvirt works (for remote drivers, a round trip to the daemon); call them
/// from a thread of your own or through ``perform(_:)`` rather than on Swift's cooperative pool.
/// The connection closes when the last reference goes away.
public final class Connection: @unchecked Sendable {
    let handle: OpaquePointer
    /// The URI this connection was opened with.
    public let uri: String
    /// Serial queue for ``perform(_:)``: keeps blocking libvirt calls off the cooperative pool.
    private let queue: DispatchQueue
    /// The single lifecycle-event registration shared by every event stream.
    let lifecycleHub = LifecycleEventHub()

    /// Opens a connection. Throws libvirt's own error when the driver cannot be reached.
    public init(uri: String, readOnly: Bool = false) throws(LibvirtError) {
        Runtime.initialized
        let opened = readOnly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri)
        self.handle = try unwrap(opened, readOnly ? "virConnectOpenReadOnly" : "virConnectOpen")
        self.uri = uri
        self.queue = DispatchQueue(label: "libvirt.connection")
    }

    deinit {
        virConnectClose(handle)
    }

    /// Runs blocking libvirt work on this connection's own queue and resumes the caller with its
    /// result, so async code never blocks a cooperative thread on a libvirt round trip.
    public func perform<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work(self) })
            }
        }
    }

    /// The canonical URI of the driver (`virConnectGetURI`).
    public func canonicalURI() throws(LibvirtError) -> String {
        try takeString(virConnectGetURI(handle), "virConnectGetURI")
    }

    /// The driver's name, such as `Test` or `QEMU` (`virConnectGetType`).
    public func driverType() throws(LibvirtError) -> String {
        String(cString: try unwrap(virConnectGetType(handle), "virConnectGetType"))
    }

    /// The libvirt library version as (major, minor, release).
    public func libraryVersion() throws(LibvirtError) -> (major: Int, minor: Int, release: Int) {
        var version: UInt = 0
        try check(virConnectGetLibVersion(handle, &version), "virConnectGetLibVersion")
        return (Int(version / 1_000_000), Int(version / 1_000 % 1_000), Int(version % 1_000))
    }

    /// Whether the connection (and, for remote drivers, the link to the daemon) is alive.
    public var isAlive: Bool { virConnectIsAlive(handle) == 1 }

    /// The host's capabilities document (`virConnectGetCapabilities`).
    public func capabilities() throws(LibvirtError) -> String {
        try takeString(virConnectGetCapabilities(handle), "virConnectGetCapabilities")
    }

    /// The host's processors and memory (`virNodeGetInfo`).
    public func nodeInfo() throws(LibvirtError) -> NodeInfo {
        var info = virNodeInfo()
        try check(virNodeGetInfo(handle, &info), "virNodeGetInfo")
        return NodeInfo(memoryKiB: UInt64(info.memory), cpus: Int(info.cpus), mhz: Int(info.mhz))
    }

    /// The host's free memory in bytes (`virNodeGetFreeMemory`).
    public func freeMemory() throws(LibvirtError) -> UInt64 {
        let free = virNodeGetFreeMemory(handle)
        guard free > 0 else { throw LibvirtError.last("virNodeGetFreeMemory") }
        return free
    }

    /// What `virNodeGetInfo` says about a host.
    public struct NodeInfo: Sendable, Equatable {
        /// Its memory, in KiB.
        public var memoryKiB: UInt64
        /// Its active CPUs.
        public var cpus: Int
        public var mhz: Int
    }

    // MARK: Domains

    /// Defines a persistent domain from its XML description, or updates the definition of the
    /// domain with the same name and UUID (`virDomainDefineXML`).
    public func defineDomain(xml: String) throws(LibvirtError) -> Domain {
        Domain(handle: try unwrap(virDomainDefineXML(handle, xml), "virDomainDefineXML"), connection: self)
    }

    /// Creates and starts a transient domain (`virDomainCreateXML`).
    public func createTransientDomain(xml: String, flags: Domain.StartFlags = []) throws(LibvirtError) -> Domain {
        Domain(handle: try unwrap(virDomainCreateXML(handle, xml, flags.rawValue), "virDomainCreateXML"),
               connection: self)
    }

    /// Looks up a domain by name. Throws ``LibvirtError/Code/noDomain`` when there is none.
    public func domain(named name: String) throws(LibvirtError) -> Domain {
        Domain(handle: try unwrap(virDomainLookupByName(handle, name), "virDomainLookupByName"), connection: self)
    }

    /// Looks up a domain by name; nil when there is none (any other failure still throws).
    public func domainIfExists(named name: String) throws(LibvirtError) -> Domain? {
        guard let handle = virDomainLookupByName(self.handle, name) else {
            let error = LibvirtError.last("virDomainLookupByName")
            if error.code == .noDomain { return nil }
            throw error
        }
        return Domain(handle: handle, connection: self)
    }

    /// Looks up a domain by UUID. Throws ``LibvirtError/Code/noDomain`` when there is none.
    public func domain(uuid: UUID) throws(LibvirtError) -> Domain {
        let found = virDomainLookupByUUIDString(handle, uuid.uuidString.lowercased())
        return Domain(handle: try unwrap(found, "virDomainLookupByUUIDString"), connection: self)
    }

    /// Every domain that matches the filter (all of them by default), with
    /// `virConnectListAllDomains`.
    public func domains(matching filter: DomainListFilter = []) throws(LibvirtError) -> [Domain] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = try check(virConnectListAllDomains(handle, &list, filter.rawValue), "virConnectListAllDomains")
        guard let list else { return [] }
        defer { free(list) }
        return (0..<Int(count)).compactMap { index in
            list[index].map { Domain(handle: $0, connection: self) }
        }
    }

    /// Filters for ``domains(matching:)`` (`virConnectListAllDomainsFlags`).
    public struct DomainListFilter: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let active = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_ACTIVE.rawValue)
        public static let inactive = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_INACTIVE.rawValue)
        public static let persistent = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_PERSISTENT.rawValue)
        public static let transient = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_TRANSIENT.rawValue)
        public static let running = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_RUNNING.rawValue)
        public static let paused = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_PAUSED.rawValue)
        public static let shutOff = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_SHUTOFF.rawValue)
        public static let hasSnapshot = Self(rawValue: VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT.rawValue)
    }
}
