/// A `TPM_CC` (Part 2 §6.5.2): which command a buffer carries. Its name leads every error.
public struct TPMCommandCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let createPrimary = TPMCommandCode(rawValue: 0x0000_0131)
    public static let startup = TPMCommandCode(rawValue: 0x0000_0144)
    public static let activateCredential = TPMCommandCode(rawValue: 0x0000_0147)
    public static let nvRead = TPMCommandCode(rawValue: 0x0000_014E)
    public static let policySecret = TPMCommandCode(rawValue: 0x0000_0151)
    public static let flushContext = TPMCommandCode(rawValue: 0x0000_0165)
    public static let nvReadPublic = TPMCommandCode(rawValue: 0x0000_0169)
    public static let readPublic = TPMCommandCode(rawValue: 0x0000_0173)
    public static let startAuthSession = TPMCommandCode(rawValue: 0x0000_0176)

    public var description: String {
        switch self {
        case .createPrimary: "TPM2_CreatePrimary"
        case .startup: "TPM2_Startup"
        case .activateCredential: "TPM2_ActivateCredential"
        case .nvRead: "TPM2_NV_Read"
        case .policySecret: "TPM2_PolicySecret"
        case .flushContext: "TPM2_FlushContext"
        case .nvReadPublic: "TPM2_NV_ReadPublic"
        case .readPublic: "TPM2_ReadPublic"
        case .startAuthSession: "TPM2_StartAuthSession"
        default: "TPM_CC 0x\(hex(rawValue, width: 8))"
        }
    }
}
