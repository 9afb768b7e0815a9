/// A `TPM_HANDLE` (Part 2 §7): a hierarchy, a session, a loaded or persistent object, an NV index.
///
/// ```swift
/// TPMHandle.endorsementKey           // 0x81010001, where the EK is persisted
/// TPMHandle.rsaEndorsementCertificate  // 0x01c00002, the NV index of its certificate
/// ```
public struct TPMHandle: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// `TPM_RH_OWNER`, the storage hierarchy.
    public static let owner = TPMHandle(0x4000_0001)
    /// `TPM_RH_NULL`: no object, no session (an unbound, unsalted session's `bind` and `tpmKey`).
    public static let null = TPMHandle(0x4000_0007)
    /// `TPM_RS_PW`: the password session, authorizing with the entity's auth value in the clear.
    public static let passwordSession = TPMHandle(0x4000_0009)
    /// `TPM_RH_ENDORSEMENT`, the hierarchy of the EK (and here of the AK).
    public static let endorsement = TPMHandle(0x4000_000B)
    /// `TPM_RH_PLATFORM`.
    public static let platform = TPMHandle(0x4000_000C)

    /// Where the TCG EK Credential Profile (§2.2.1.4) persists the RSA-2048 EK.
    public static let endorsementKey = TPMHandle(0x8101_0001)
    /// The NV index of the RSA-2048 EK certificate (EK Credential Profile §2.2.1.5.1).
    public static let rsaEndorsementCertificate = TPMHandle(0x01C0_0002)
    /// The NV index of the ECC NIST P-384 EK certificate swtpm writes (EK Credential Profile §2.2.1.5.2).
    public static let eccP384EndorsementCertificate = TPMHandle(0x01C0_0016)

    public var description: String { "0x\(hex(rawValue, width: 8))" }
}
