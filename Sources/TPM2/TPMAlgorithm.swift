/// A `TPM_ALG_ID` (TPM 2.0 Part 2 §6.3; the TCG Algorithm Registry): key types, hashes, symmetric
/// ciphers and modes, signing and key-exchange schemes share one number space.
///
/// ```swift
/// TPMAlgorithm.sha256.digestSize   // 32
/// "\(TPMAlgorithm(rawValue: 0x0001))"  // "TPM_ALG_RSA"
/// ```
public struct TPMAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let rsa = TPMAlgorithm(rawValue: 0x0001)
    public static let sha1 = TPMAlgorithm(rawValue: 0x0004)
    public static let hmac = TPMAlgorithm(rawValue: 0x0005)
    public static let aes = TPMAlgorithm(rawValue: 0x0006)
    public static let keyedHash = TPMAlgorithm(rawValue: 0x0008)
    public static let xor = TPMAlgorithm(rawValue: 0x000A)
    public static let sha256 = TPMAlgorithm(rawValue: 0x000B)
    public static let sha384 = TPMAlgorithm(rawValue: 0x000C)
    public static let sha512 = TPMAlgorithm(rawValue: 0x000D)
    public static let null = TPMAlgorithm(rawValue: 0x0010)
    public static let rsassa = TPMAlgorithm(rawValue: 0x0014)
    public static let rsaes = TPMAlgorithm(rawValue: 0x0015)
    public static let rsapss = TPMAlgorithm(rawValue: 0x0016)
    public static let oaep = TPMAlgorithm(rawValue: 0x0017)
    public static let ecdsa = TPMAlgorithm(rawValue: 0x0018)
    public static let ecdh = TPMAlgorithm(rawValue: 0x0019)
    public static let ecdaa = TPMAlgorithm(rawValue: 0x001A)
    public static let ecschnorr = TPMAlgorithm(rawValue: 0x001C)
    public static let ecc = TPMAlgorithm(rawValue: 0x0023)
    public static let symCipher = TPMAlgorithm(rawValue: 0x0025)
    public static let cfb = TPMAlgorithm(rawValue: 0x0043)

    /// The digest size of a hash algorithm, nil for anything else.
    public var digestSize: Int? {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .rsa: "TPM_ALG_RSA"
        case .sha1: "TPM_ALG_SHA1"
        case .hmac: "TPM_ALG_HMAC"
        case .aes: "TPM_ALG_AES"
        case .keyedHash: "TPM_ALG_KEYEDHASH"
        case .xor: "TPM_ALG_XOR"
        case .sha256: "TPM_ALG_SHA256"
        case .sha384: "TPM_ALG_SHA384"
        case .sha512: "TPM_ALG_SHA512"
        case .null: "TPM_ALG_NULL"
        case .rsassa: "TPM_ALG_RSASSA"
        case .rsaes: "TPM_ALG_RSAES"
        case .rsapss: "TPM_ALG_RSAPSS"
        case .oaep: "TPM_ALG_OAEP"
        case .ecdsa: "TPM_ALG_ECDSA"
        case .ecdh: "TPM_ALG_ECDH"
        case .ecdaa: "TPM_ALG_ECDAA"
        case .ecschnorr: "TPM_ALG_ECSCHNORR"
        case .ecc: "TPM_ALG_ECC"
        case .symCipher: "TPM_ALG_SYMCIPHER"
        case .cfb: "TPM_ALG_CFB"
        default: "TPM_ALG_ID 0x\(hex(rawValue, width: 4))"
        }
    }
}

/// A `TPM_ECC_CURVE` (Part 2 §6.4).
public struct TPMECCCurve: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let nistP256 = TPMECCCurve(rawValue: 0x0003)
    public static let nistP384 = TPMECCCurve(rawValue: 0x0004)
    public static let nistP521 = TPMECCCurve(rawValue: 0x0005)

    public var description: String {
        switch self {
        case .nistP256: "TPM_ECC_NIST_P256"
        case .nistP384: "TPM_ECC_NIST_P384"
        case .nistP521: "TPM_ECC_NIST_P521"
        default: "TPM_ECC_CURVE 0x\(hex(rawValue, width: 4))"
        }
    }
}

/// Lower-case hexadecimal of an integer, zero-padded to `width` digits (no Foundation here: the
/// module links into the static guest agent).
func hex(_ value: some BinaryInteger, width: Int = 0) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
