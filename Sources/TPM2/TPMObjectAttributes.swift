/// `TPMA_OBJECT` (Part 2 §8.3): how an object may be used and where its key may go.
///
/// ```swift
/// let ak: TPMObjectAttributes = [.fixedTPM, .fixedParent, .sensitiveDataOrigin, .userWithAuth, .restricted, .sign]
/// ak.rawValue  // 0x00050072
/// ```
public struct TPMObjectAttributes: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The key cannot leave this TPM (not even duplicated under another parent).
    public static let fixedTPM = TPMObjectAttributes(rawValue: 1 << 1)
    public static let stClear = TPMObjectAttributes(rawValue: 1 << 2)
    public static let fixedParent = TPMObjectAttributes(rawValue: 1 << 4)
    /// The TPM generated the key itself.
    public static let sensitiveDataOrigin = TPMObjectAttributes(rawValue: 1 << 5)
    public static let userWithAuth = TPMObjectAttributes(rawValue: 1 << 6)
    public static let adminWithPolicy = TPMObjectAttributes(rawValue: 1 << 7)
    public static let noDA = TPMObjectAttributes(rawValue: 1 << 10)
    public static let encryptedDuplication = TPMObjectAttributes(rawValue: 1 << 11)
    /// A signing key that signs only what the TPM produced (quotes, certifications), a decryption
    /// key that decrypts only TPM structures.
    public static let restricted = TPMObjectAttributes(rawValue: 1 << 16)
    public static let decrypt = TPMObjectAttributes(rawValue: 1 << 17)
    public static let sign = TPMObjectAttributes(rawValue: 1 << 18)

    private static let names: [(TPMObjectAttributes, String)] = [
        (.fixedTPM, "fixedTPM"), (.stClear, "stClear"), (.fixedParent, "fixedParent"),
        (.sensitiveDataOrigin, "sensitiveDataOrigin"), (.userWithAuth, "userWithAuth"),
        (.adminWithPolicy, "adminWithPolicy"), (.noDA, "noDA"), (.encryptedDuplication, "encryptedDuplication"),
        (.restricted, "restricted"), (.decrypt, "decrypt"), (.sign, "sign"),
    ]

    /// The attributes' names, `|`-separated, and any bit without a name in hexadecimal.
    public var description: String {
        var parts = Self.names.filter { contains($0.0) }.map(\.1)
        let unnamed = rawValue & ~Self.names.reduce(0) { $0 | $1.0.rawValue }
        if unnamed != 0 { parts.append("0x\(hex(unnamed, width: 8))") }
        return parts.isEmpty ? "none" : parts.joined(separator: "|")
    }
}
