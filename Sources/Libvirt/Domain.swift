public import Foundation
internal import CLibvirt

/// A libvirt domain (`virDomainPtr`): a virtual machine defined on a ``Connection``.
///
/// The object owns its reference and frees it on deinit; it keeps its connection alive.
public final class Domain: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection this domain was obtained from.
    public let connection: Connection

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    deinit {
        virDomainFree(handle)
    }

    // MARK: Identity

    /// The domain's name.
    public var name: String {
        virDomainGetName(handle).map { String(cString: $0) } ?? ""
    }

    /// The domain's UUID.
    public func uuid() throws(LibvirtError) -> UUID {
        var buffer = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
        try check(virDomainGetUUIDString(handle, &buffer), "virDomainGetUUIDString")
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard let uuid = UUID(uuidString: text) else {
            throw LibvirtError(code: .internalError, domain: .domain,
                               message: "libvirt returned an unreadable UUID '\(text)'", function: "virDomainGetUUIDString")
        }
        return uuid
    }

    /// The domain's current state and libvirt's reason code for it (`virDomainGetState`).
    public func state() throws(LibvirtError) -> (state: DomainState, reason: Int32) {
        var state: Int32 = 0
        var reason: Int32 = 0
        try check(virDomainGetState(handle, &state, &reason, 0), "virDomainGetState")
        return (DomainState(rawValue: state) ?? .noState, reason)
    }

    /// Whether the domain is running (or paused): `virDomainIsActive`.
    public func isActive() throws(LibvirtError) -> Bool {
        try check(virDomainIsActive(handle), "virDomainIsActive") == 1
    }

    /// Whether the domain has a persistent definition: `virDomainIsPersistent`.
    public func isPersistent() throws(LibvirtError) -> Bool {
        try check(virDomainIsPersistent(handle), "virDomainIsPersistent") == 1
    }

    /// The domain's XML description (`virDomainGetXMLDesc`).
    public func xmlDescription(_ flags: XMLFlags = []) throws(LibvirtError) -> String {
        try takeString(virDomainGetXMLDesc(handle, flags.rawValue), "virDomainGetXMLDesc")
    }

    /// Flags for ``xmlDescription(_:)`` (`virDomainXMLFlags`).
    public struct XMLFlags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Include security-sensitive data.
        public static let secure = Self(rawValue: VIR_DOMAIN_XML_SECURE.rawValue)
        /// The persistent definition rather than the live one.
        public static let inactive = Self(rawValue: VIR_DOMAIN_XML_INACTIVE.rawValue)
        /// A definition suitable for migration.
        public static let migratable = Self(rawValue: VIR_DOMAIN_XML_MIGRATABLE.rawValue)
    }

    // MARK: Life cycle

    /// Starts a defined domain (`virDomainCreateWithFlags`).
    public func start(_ flags: StartFlags = []) throws(LibvirtError) {
        try check(virDomainCreateWithFlags(handle, flags.rawValue), "virDomainCreateWithFlags")
    }

    /// Flags for ``start(_:)`` and transient creation (`virDomainCreateFlags`).
    public struct StartFlags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Start with the CPUs paused.
        public static let paused = Self(rawValue: VIR_DOMAIN_START_PAUSED.rawValue)
        /// Boot fresh even when a managed save image exists.
        public static let forceBoot = Self(rawValue: VIR_DOMAIN_START_FORCE_BOOT.rawValue)
    }

    /// Asks the guest to shut down, as a power button would (`virDomainShutdown`).
    public func shutdown() throws(LibvirtError) {
        try check(virDomainShutdown(handle), "virDomainShutdown")
    }

    /// Powers the domain off at once, as pulling the plug would (`virDomainDestroy`).
    public func destroy() throws(LibvirtError) {
        try check(virDomainDestroy(handle), "virDomainDestroy")
    }

    /// Asks the guest to reboot (`virDomainReboot`).
    public func reboot() throws(LibvirtError) {
        try check(virDomainReboot(handle, 0), "virDomainReboot")
    }

    /// Resets the domain at once, as a reset button would (`virDomainReset`).
    public func reset() throws(LibvirtError) {
        try check(virDomainReset(handle, 0), "virDomainReset")
    }

    /// Pauses the domain's CPUs (`virDomainSuspend`).
    public func suspend() throws(LibvirtError) {
        try check(virDomainSuspend(handle), "virDomainSuspend")
    }

    /// Resumes a paused domain (`virDomainResume`).
    public func resume() throws(LibvirtError) {
        try check(virDomainResume(handle), "virDomainResume")
    }

    /// Removes the persistent definition (`virDomainUndefineFlags`). A running domain keeps
    /// running as a transient one until it stops.
    public func undefine(_ flags: UndefineFlags = [.snapshotsMetadata, .managedSave]) throws(LibvirtError) {
        try check(virDomainUndefineFlags(handle, flags.rawValue), "virDomainUndefineFlags")
    }

    /// Flags for ``undefine(_:)`` (`virDomainUndefineFlagsValues`).
    public struct UndefineFlags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Also remove a managed save image.
        public static let managedSave = Self(rawValue: VIR_DOMAIN_UNDEFINE_MANAGED_SAVE.rawValue)
        /// Also remove snapshot metadata.
        public static let snapshotsMetadata = Self(rawValue: VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA.rawValue)
        /// Also remove the firmware's NVRAM file (QEMU with UEFI).
        public static let nvram = Self(rawValue: VIR_DOMAIN_UNDEFINE_NVRAM.rawValue)
        /// Also remove checkpoint metadata.
        public static let checkpointsMetadata = Self(rawValue: VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA.rawValue)
        /// Also remove the emulated TPM's state (swtpm's, with its EK and certificate).
        public static let tpm = Self(rawValue: VIR_DOMAIN_UNDEFINE_TPM.rawValue)
    }

    // MARK: Metadata

    /// The domain's custom `<metadata>` element in the given XML namespace, or nil when it has
    /// none (`virDomainGetMetadata` with `VIR_DOMAIN_METADATA_ELEMENT`).
    public func metadata(namespaceURI: String, _ impact: ModificationImpact = .current) throws(LibvirtError) -> String? {
        let text = virDomainGetMetadata(handle, Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue), namespaceURI,
                                        impact.rawValue)
        guard let text else {
            let error = LibvirtError.last("virDomainGetMetadata")
            if error.code == .noDomainMetadata { return nil }
            throw error
        }
        defer { free(text) }
        return String(cString: text)
    }

    /// Replaces (or, with nil, removes) the domain's `<metadata>` element in a namespace
    /// (`virDomainSetMetadata`). `key` is the namespace prefix libvirt writes.
    public func setMetadata(_ xml: String?, key: String, namespaceURI: String,
                            _ impact: ModificationImpact = .current) throws(LibvirtError) {
        try check(virDomainSetMetadata(handle, Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue), xml, key,
                                       namespaceURI, impact.rawValue), "virDomainSetMetadata")
    }

    /// Which definition a change affects (`virDomainModificationImpact`).
    public struct ModificationImpact: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// The running domain if it runs, else the persistent definition.
        public static let current = Self([])
        /// The running domain.
        public static let live = Self(rawValue: VIR_DOMAIN_AFFECT_LIVE.rawValue)
        /// The persistent definition.
        public static let config = Self(rawValue: VIR_DOMAIN_AFFECT_CONFIG.rawValue)
    }

    // MARK: Console

    /// Presses keys on the domain's keyboard together, held for `holdTime` milliseconds
    /// (`virDomainSendKey`).
    public func sendKey(_ keycodes: [UInt32], codeSet: KeyCodeSet = .linux, holdTime: UInt32 = 0) throws(LibvirtError) {
        var codes = keycodes
        try check(virDomainSendKey(handle, codeSet.rawValue, holdTime, &codes, Int32(codes.count), 0),
                  "virDomainSendKey")
    }

    /// The key code sets libvirt understands (`virKeycodeSet`).
    public enum KeyCodeSet: UInt32, Sendable {
        case linux = 0, xt, atSet1, atSet2, atSet3, osx, xtKeyboard, usb, win32, qnum
    }

    /// Saves a screenshot of the domain's screen to a file and returns its MIME type
    /// (`virDomainScreenshot` through a `virStream`).
    @discardableResult
    public func screenshot(to file: URL, screen: UInt32 = 0) throws -> String {
        let stream = try Stream(connection: connection)
        let mime = try takeString(virDomainScreenshot(handle, stream.handle, screen, 0), "virDomainScreenshot")
        try stream.receiveAll(into: file)
        return mime
    }
}
