/// A `TPM_RC` (TPM 2.0 Part 2 §6.6), decoded: which error, and for a format-1 code the parameter,
/// handle or session it is about.
///
/// ```swift
/// let code = TPMResponseCode(rawValue: 0x1DF)
/// code.base == .integrity     // true: TPM_RC_INTEGRITY ...
/// code.parameterNumber        // 1: ... about the first parameter
/// "\(code)"                   // "TPM_RC_INTEGRITY (0x1df, parameter 1)"
/// ```
public struct TPMResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Format 1 (bit 7 set) carries an error number in bits 0-5 and a position in bits 6-11;
    /// format 0 is an error or warning number with no position.
    public var isFormat1: Bool { rawValue & 0x080 != 0 }

    /// The code without its position: what to compare with the named codes below.
    public var base: TPMResponseCode {
        TPMResponseCode(rawValue: isFormat1 ? 0x080 | rawValue & 0x03F : rawValue)
    }

    /// The parameter (1-15) a format-1 code is about.
    public var parameterNumber: Int? { isFormat1 && rawValue & 0x040 != 0 ? position : nil }

    /// The handle (1-7, in the command's handle area) a format-1 code is about.
    public var handleNumber: Int? { isFormat1 && rawValue & 0x040 == 0 && (1...7).contains(position) ? position : nil }

    /// The session (1-7, in the command's authorization area) a format-1 code is about.
    public var sessionNumber: Int? { isFormat1 && rawValue & 0x040 == 0 && position >= 8 ? position - 8 : nil }

    private var position: Int { Int(rawValue >> 8 & 0xF) }

    // Format 1 (TPM_RC_FMT1 + n).
    public static let asymmetric = TPMResponseCode(rawValue: 0x081)
    public static let attributes = TPMResponseCode(rawValue: 0x082)
    public static let hash = TPMResponseCode(rawValue: 0x083)
    public static let value = TPMResponseCode(rawValue: 0x084)
    public static let hierarchy = TPMResponseCode(rawValue: 0x085)
    public static let keySize = TPMResponseCode(rawValue: 0x087)
    public static let handle = TPMResponseCode(rawValue: 0x08B)
    public static let authFail = TPMResponseCode(rawValue: 0x08E)
    public static let scheme = TPMResponseCode(rawValue: 0x092)
    public static let size = TPMResponseCode(rawValue: 0x095)
    public static let integrity = TPMResponseCode(rawValue: 0x09F)
    public static let policyFail = TPMResponseCode(rawValue: 0x09D)
    public static let badAuth = TPMResponseCode(rawValue: 0x0A2)
    // Format 0 (TPM_RC_VER1 + n, TPM_RC_WARN + n).
    public static let success = TPMResponseCode(rawValue: 0x000)
    public static let initialize = TPMResponseCode(rawValue: 0x100)
    public static let failure = TPMResponseCode(rawValue: 0x101)
    public static let authMissing = TPMResponseCode(rawValue: 0x125)
    public static let policy = TPMResponseCode(rawValue: 0x126)
    public static let nvAuthorization = TPMResponseCode(rawValue: 0x149)
    public static let objectMemory = TPMResponseCode(rawValue: 0x902)
    public static let sessionMemory = TPMResponseCode(rawValue: 0x903)
    public static let yielded = TPMResponseCode(rawValue: 0x908)
    public static let testing = TPMResponseCode(rawValue: 0x90A)
    public static let retry = TPMResponseCode(rawValue: 0x922)

    /// The specification's name, e.g. `TPM_RC_INTEGRITY`; a code it does not name is described
    /// by its class and number.
    public var name: String {
        let code = base.rawValue
        if isFormat1 { return Self.format1Names[code & 0x3F].map { "TPM_RC_\($0)" } ?? "TPM_RC_FMT1 + 0x\(hex(code & 0x3F))" }
        if code & 0x100 == 0 { return "TPM 1.2 response code 0x\(hex(code))" }
        if code & 0x400 != 0 { return "vendor-defined response code 0x\(hex(code))" }
        if code & 0x800 != 0 { return Self.warningNames[code & 0x7F].map { "TPM_RC_\($0)" } ?? "TPM_RC_WARN + 0x\(hex(code & 0x7F))" }
        return Self.version1Names[code & 0x7F].map { "TPM_RC_\($0)" } ?? "TPM_RC_VER1 + 0x\(hex(code & 0x7F))"
    }

    public var description: String {
        if rawValue == 0 { return "TPM_RC_SUCCESS" }
        var about = ""
        if let parameterNumber { about = ", parameter \(parameterNumber)" }
        if let handleNumber { about = ", handle \(handleNumber)" }
        if let sessionNumber { about = ", session \(sessionNumber)" }
        return "\(name) (0x\(hex(rawValue))\(about))"
    }

    private static let format1Names: [UInt32: String] = [
        0x01: "ASYMMETRIC", 0x02: "ATTRIBUTES", 0x03: "HASH", 0x04: "VALUE", 0x05: "HIERARCHY",
        0x07: "KEY_SIZE", 0x08: "MGF", 0x09: "MODE", 0x0A: "TYPE", 0x0B: "HANDLE", 0x0C: "KDF",
        0x0D: "RANGE", 0x0E: "AUTH_FAIL", 0x0F: "NONCE", 0x10: "PP", 0x12: "SCHEME", 0x15: "SIZE",
        0x16: "SYMMETRIC", 0x17: "TAG", 0x18: "SELECTOR", 0x1A: "INSUFFICIENT", 0x1B: "SIGNATURE",
        0x1C: "KEY", 0x1D: "POLICY_FAIL", 0x1F: "INTEGRITY", 0x20: "TICKET", 0x21: "RESERVED_BITS",
        0x22: "BAD_AUTH", 0x23: "EXPIRED", 0x24: "POLICY_CC", 0x25: "BINDING", 0x26: "CURVE",
        0x27: "ECC_POINT",
    ]

    private static let version1Names: [UInt32: String] = [
        0x00: "INITIALIZE", 0x01: "FAILURE", 0x03: "SEQUENCE", 0x0B: "PRIVATE", 0x19: "HMAC",
        0x20: "DISABLED", 0x21: "EXCLUSIVE", 0x24: "AUTH_TYPE", 0x25: "AUTH_MISSING", 0x26: "POLICY",
        0x27: "PCR", 0x28: "PCR_CHANGED", 0x2D: "UPGRADE", 0x2E: "TOO_MANY_CONTEXTS",
        0x2F: "AUTH_UNAVAILABLE", 0x30: "REBOOT", 0x31: "UNBALANCED", 0x42: "COMMAND_SIZE",
        0x43: "COMMAND_CODE", 0x44: "AUTHSIZE", 0x45: "AUTH_CONTEXT", 0x46: "NV_RANGE",
        0x47: "NV_SIZE", 0x48: "NV_LOCKED", 0x49: "NV_AUTHORIZATION", 0x4A: "NV_UNINITIALIZED",
        0x4B: "NV_SPACE", 0x4C: "NV_DEFINED", 0x50: "BAD_CONTEXT", 0x51: "CPHASH", 0x52: "PARENT",
        0x53: "NEEDS_TEST", 0x54: "NO_RESULT", 0x55: "SENSITIVE",
    ]

    private static let warningNames: [UInt32: String] = [
        0x01: "CONTEXT_GAP", 0x02: "OBJECT_MEMORY", 0x03: "SESSION_MEMORY", 0x04: "MEMORY",
        0x05: "SESSION_HANDLES", 0x06: "OBJECT_HANDLES", 0x07: "LOCALITY", 0x08: "YIELDED",
        0x09: "CANCELED", 0x0A: "TESTING", 0x10: "REFERENCE_H0", 0x11: "REFERENCE_H1",
        0x12: "REFERENCE_H2", 0x13: "REFERENCE_H3", 0x14: "REFERENCE_H4", 0x15: "REFERENCE_H5",
        0x16: "REFERENCE_H6", 0x18: "REFERENCE_S0", 0x19: "REFERENCE_S1", 0x1A: "REFERENCE_S2",
        0x1B: "REFERENCE_S3", 0x1C: "REFERENCE_S4", 0x1D: "REFERENCE_S5", 0x1E: "REFERENCE_S6",
        0x20: "NV_RATE", 0x21: "LOCKOUT", 0x22: "RETRY", 0x23: "NV_UNAVAILABLE",
    ]
}
