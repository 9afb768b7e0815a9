import Foundation
internal import CLibvirt

/// An error reported by libvirt.
///
/// Every failing call in this binding copies `virGetLastError()` on the thread where the call
/// failed, before anything else can overwrite it (libvirt keeps the last error per thread),
/// so the code, domain and message are libvirt's own.
public struct LibvirtError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libvirt's `virErrorNumber`, e.g. ``Code/domainExists`` or ``Code/noDomain``.
    public let code: Code
    /// libvirt's `virErrorDomain`: the part of libvirt that raised the error.
    public let domain: ErrorDomain
    /// libvirt's human-readable message.
    public let message: String
    /// The C function that failed, for example `virDomainDefineXML`.
    public let function: String

    public var description: String { "\(message) (\(function): \(code), \(domain))" }

    /// libvirt's `virErrorNumber`. Only the codes the lab reacts to are named; every other code
    /// is kept as its raw value.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virErrorNumber) { self.rawValue = Int32(bitPattern: value.rawValue) }

        public static let internalError = Code(VIR_ERR_INTERNAL_ERROR)
        public static let noSupport = Code(VIR_ERR_NO_SUPPORT)
        public static let noConnect = Code(VIR_ERR_NO_CONNECT)
        public static let invalidArgument = Code(VIR_ERR_INVALID_ARG)
        public static let operationFailed = Code(VIR_ERR_OPERATION_FAILED)
        public static let xmlError = Code(VIR_ERR_XML_ERROR)
        public static let xmlDetail = Code(VIR_ERR_XML_DETAIL)
        public static let noDomain = Code(VIR_ERR_NO_DOMAIN)
        public static let operationInvalid = Code(VIR_ERR_OPERATION_INVALID)
        public static let domainExists = Code(VIR_ERR_DOM_EXIST)
        public static let noDomainSnapshot = Code(VIR_ERR_NO_DOMAIN_SNAPSHOT)
        public static let noDomainMetadata = Code(VIR_ERR_NO_DOMAIN_METADATA)
        public static let systemError = Code(VIR_ERR_SYSTEM_ERROR)
        public static let operationUnsupported = Code(VIR_ERR_OPERATION_UNSUPPORTED)
        public static let configUnsupported = Code(VIR_ERR_CONFIG_UNSUPPORTED)
        public static let authFailed = Code(VIR_ERR_AUTH_FAILED)
        public static let noStoragePool = Code(VIR_ERR_NO_STORAGE_POOL)
        public static let noStorageVolume = Code(VIR_ERR_NO_STORAGE_VOL)

        public var description: String {
            switch self {
            case .internalError: "VIR_ERR_INTERNAL_ERROR"
            case .noSupport: "VIR_ERR_NO_SUPPORT"
            case .noConnect: "VIR_ERR_NO_CONNECT"
            case .invalidArgument: "VIR_ERR_INVALID_ARG"
            case .operationFailed: "VIR_ERR_OPERATION_FAILED"
            case .xmlError: "VIR_ERR_XML_ERROR"
            case .xmlDetail: "VIR_ERR_XML_DETAIL"
            case .noDomain: "VIR_ERR_NO_DOMAIN"
            case .operationInvalid: "VIR_ERR_OPERATION_INVALID"
            case .domainExists: "VIR_ERR_DOM_EXIST"
            case .noDomainSnapshot: "VIR_ERR_NO_DOMAIN_SNAPSHOT"
            case .noDomainMetadata: "VIR_ERR_NO_DOMAIN_METADATA"
            case .systemError: "VIR_ERR_SYSTEM_ERROR"
            case .operationUnsupported: "VIR_ERR_OPERATION_UNSUPPORTED"
            case .configUnsupported: "VIR_ERR_CONFIG_UNSUPPORTED"
            case .authFailed: "VIR_ERR_AUTH_FAILED"
            case .noStoragePool: "VIR_ERR_NO_STORAGE_POOL"
            case .noStorageVolume: "VIR_ERR_NO_STORAGE_VOL"
            default: "error code \(rawValue)"
            }
        }
    }

    /// libvirt's `virErrorDomain`.
    public struct ErrorDomain: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ value: virErrorDomain) { self.rawValue = Int32(bitPattern: value.rawValue) }

        public static let none = ErrorDomain(VIR_FROM_NONE)
        public static let domain = ErrorDomain(VIR_FROM_DOM)
        public static let qemu = ErrorDomain(VIR_FROM_QEMU)
        public static let test = ErrorDomain(VIR_FROM_TEST)
        public static let remote = ErrorDomain(VIR_FROM_REMOTE)
        public static let rpc = ErrorDomain(VIR_FROM_RPC)
        public static let domainSnapshot = ErrorDomain(VIR_FROM_DOMAIN_SNAPSHOT)

        public var description: String {
            switch self {
            case .none: "VIR_FROM_NONE"
            case .domain: "VIR_FROM_DOM"
            case .qemu: "VIR_FROM_QEMU"
            case .test: "VIR_FROM_TEST"
            case .remote: "VIR_FROM_REMOTE"
            case .rpc: "VIR_FROM_RPC"
            case .domainSnapshot: "VIR_FROM_DOMAIN_SNAPSHOT"
            default: "error domain \(rawValue)"
            }
        }
    }

    public init(code: Code, domain: ErrorDomain, message: String, function: String) {
        self.code = code
        self.domain = domain
        self.message = message
        self.function = function
    }

    /// Copies and clears the calling thread's last libvirt error.
    static func last(_ function: String) -> LibvirtError {
        defer { virResetLastError() }
        guard let error = virGetLastError() else {
            return LibvirtError(code: .internalError, domain: .none,
                                message: "\(function) failed without reporting an error", function: function)
        }
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown libvirt error"
        return LibvirtError(code: Code(rawValue: error.pointee.code),
                            domain: ErrorDomain(rawValue: error.pointee.domain),
                            message: message, function: function)
    }
}

/// Throws the thread's last libvirt error when a C call returned a negative status.
@discardableResult
func check(_ status: Int32, _ function: String) throws(LibvirtError) -> Int32 {
    if status < 0 { throw LibvirtError.last(function) }
    return status
}

/// Throws the thread's last libvirt error when a C call returned no object.
func unwrap<Pointer>(_ pointer: Pointer?, _ function: String) throws(LibvirtError) -> Pointer {
    guard let pointer else { throw LibvirtError.last(function) }
    return pointer
}

/// Takes ownership of a string libvirt allocated for the caller and frees it.
func takeString(_ pointer: UnsafeMutablePointer<CChar>?, _ function: String) throws(LibvirtError) -> String {
    let pointer = try unwrap(pointer, function)
    defer { free(pointer) }
    return String(cString: pointer)
}
