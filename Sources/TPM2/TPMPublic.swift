internal import DeviceIdentity

/// A `TPMT_PUBLIC` (Part 2 §12.2.4): an object's public area, as the TPM marshalled it and parsed.
///
/// Only asymmetric keys (RSA and ECC) are parsed; their name is `nameAlg || H(TPMT_PUBLIC)`
/// (Part 1 §16), which is how the TPM, and MakeCredential, refer to the object.
///
/// ```swift
/// let ek = try tpm.endorsementKey()
/// ek.type                  // TPM_ALG_RSA
/// ek.attributes            // fixedTPM|fixedParent|sensitiveDataOrigin|adminWithPolicy|restricted|decrypt
/// if case .rsa(let modulus, let exponent) = ek.key { ... }   // 256 bytes, 65537
/// try ek.name()            // 00 0B || SHA-256(ek.publicArea)
/// ```
public struct TPMPublic: Sendable, Equatable {
    /// The marshalled `TPMT_PUBLIC` (without the `TPM2B_PUBLIC` size in front): the bytes named.
    public let publicArea: [UInt8]
    public let type: TPMAlgorithm
    public let nameAlgorithm: TPMAlgorithm
    public let attributes: TPMObjectAttributes
    public let authPolicy: [UInt8]
    /// The symmetric algorithm of a storage key (`TPMT_SYM_DEF_OBJECT`), nil for `TPM_ALG_NULL`.
    public let symmetric: Symmetric?
    /// The signing or key-exchange scheme (`TPMT_RSA_SCHEME`, `TPMT_ECC_SCHEME`), nil for `TPM_ALG_NULL`.
    public let scheme: Scheme?
    public let key: Key

    /// A `TPMT_SYM_DEF_OBJECT` other than `TPM_ALG_NULL`: AES-128 in CFB mode for the TCG's EKs.
    public struct Symmetric: Sendable, Equatable {
        public let algorithm: TPMAlgorithm
        public let keyBits: UInt16
        public let mode: TPMAlgorithm
    }

    /// A scheme other than `TPM_ALG_NULL`, with its hash (`TPM_ALG_NULL` for a scheme without one).
    public struct Scheme: Sendable, Equatable {
        public let algorithm: TPMAlgorithm
        public let hash: TPMAlgorithm
    }

    /// The public key: the `TPMS_*_PARMS` sizes with the `TPMU_PUBLIC_ID`.
    public enum Key: Sendable, Equatable {
        /// The modulus as the TPM gave it (big-endian), and the exponent (0 in a `TPMT_PUBLIC` means
        /// 65537, and is given here as 65537).
        case rsa(modulus: [UInt8], exponent: UInt32)
        /// The curve and the point's coordinates (big-endian).
        case ecc(curve: TPMECCCurve, x: [UInt8], y: [UInt8])
    }

    /// Parses a `TPMT_PUBLIC`; the bytes must hold exactly one.
    public init(publicArea: [UInt8]) throws {
        var reader = TPMReader(publicArea, context: "TPMT_PUBLIC")
        self = try TPMPublic(reading: &reader)
        try reader.expectEnd()
    }

    /// Parses a `TPM2B_PUBLIC` (a size, then a `TPMT_PUBLIC` of exactly that size).
    public init(sizedPublic bytes: [UInt8]) throws {
        var reader = TPMReader(bytes, context: "TPM2B_PUBLIC")
        let area = try reader.readSized()
        try reader.expectEnd()
        self = try TPMPublic(publicArea: area)
    }

    /// Reads a `TPM2B_PUBLIC` from a response.
    static func readSized(from reader: inout TPMReader) throws -> TPMPublic {
        try TPMPublic(publicArea: try reader.readSized())
    }

    private init(reading reader: inout TPMReader) throws {
        let start = reader.offset
        type = try reader.readAlgorithm()
        nameAlgorithm = try reader.readAlgorithm()
        attributes = TPMObjectAttributes(rawValue: try reader.readUInt32())
        authPolicy = try reader.readSized()
        switch type {
        case .rsa:
            symmetric = try Self.readSymmetric(&reader)
            scheme = try Self.readScheme(&reader)
            _ = try reader.readUInt16()  // keyBits: the modulus says it too
            let exponent = try reader.readUInt32()
            key = .rsa(modulus: try reader.readSized(), exponent: exponent == 0 ? 65537 : exponent)
        case .ecc:
            symmetric = try Self.readSymmetric(&reader)
            scheme = try Self.readScheme(&reader)
            let curve = TPMECCCurve(rawValue: try reader.readUInt16())
            _ = try Self.readScheme(&reader)  // the KDF scheme, which nothing here uses
            key = .ecc(curve: curve, x: try reader.readSized(), y: try reader.readSized())
        default:
            throw TPMError.unsupported("a TPMT_PUBLIC of type \(type) (only TPM_ALG_RSA and TPM_ALG_ECC keys)")
        }
        publicArea = Array(reader.bytes[start..<reader.offset])
    }

    private static func readSymmetric(_ reader: inout TPMReader) throws -> Symmetric? {
        let algorithm = try reader.readAlgorithm()
        guard algorithm != .null else { return nil }
        return Symmetric(algorithm: algorithm, keyBits: try reader.readUInt16(), mode: try reader.readAlgorithm())
    }

    /// A `TPMT_*_SCHEME` or `TPMT_KDF_SCHEME`: the details' shape depends on the scheme.
    private static func readScheme(_ reader: inout TPMReader) throws -> Scheme? {
        let algorithm = try reader.readAlgorithm()
        switch algorithm {
        case .null: return nil
        case .rsaes: return Scheme(algorithm: algorithm, hash: .null)  // TPMS_EMPTY
        case .ecdaa:
            let hash = try reader.readAlgorithm()
            _ = try reader.readUInt16()  // count
            return Scheme(algorithm: algorithm, hash: hash)
        default: return Scheme(algorithm: algorithm, hash: try reader.readAlgorithm())
        }
    }

    /// The object's name: `nameAlg` (2 bytes) followed by the hash of ``publicArea``. Only SHA-256
    /// names are computed (the TCG's EK and every key this module makes use it).
    public func name() throws -> [UInt8] {
        guard nameAlgorithm == .sha256 else { throw TPMError.unsupported("a name with nameAlg \(nameAlgorithm) (only TPM_ALG_SHA256)") }
        var writer = TPMWriter()
        writer.write(nameAlgorithm)
        writer.write(raw: SHA256.hash(publicArea))
        return writer.bytes
    }
}
