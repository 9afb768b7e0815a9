public import TPM2

/// An EK certificate that chains to the lab's ``EndorsementAuthority``, and its key: what a
/// credential challenge is encrypted to.
///
/// A certificate does not say the EK's name algorithm and symmetric key, which MakeCredential
/// needs: they are the TCG default template's (SHA-256, AES-128-CFB) until ``matching(_:)``
/// checks the EK the device read from its TPM against the certificate and takes them from it.
///
/// ```swift
/// let ek = try authority.verify(endorsementCertificate: der)
///     .matching(TPMPublic(publicArea: ekPublicAreaFromTheDevice))
/// ek.subject   // "CN=pxelab-device-1:9d2b..."
/// ```
public struct VerifiedEndorsementKey: Sendable, Equatable {
    /// The certified public key.
    public enum PublicKey: Sendable, Equatable {
        /// The modulus and exponent, big-endian, without leading zero bytes.
        case rsa(modulus: [UInt8], exponent: UInt32)
        /// OpenSSL's curve name (`secp384r1`) and the point's coordinates.
        case ecc(curve: String, x: [UInt8], y: [UInt8])
    }

    /// The EK certificate (DER) as verified.
    public let certificate: [UInt8]
    public let subject: String
    public let issuer: String
    public let key: PublicKey
    /// The EK's `nameAlg`: the hash of MakeCredential's KDFa, OAEP and HMAC.
    public private(set) var nameAlgorithm: TPMAlgorithm = .sha256
    /// The EK's AES key size in bits: the credential's encryption.
    public private(set) var symmetricKeyBits = 128
    /// Whether ``matching(_:)`` compared the key with the TPM's.
    public private(set) var matchedTPM = false
    /// The certificate's `SubjectPublicKeyInfo` (DER), for OpenSSL.
    let subjectPublicKeyInfo: [UInt8]

    init(certificate: [UInt8], subject: String, issuer: String, key: PublicKey, subjectPublicKeyInfo: [UInt8]) {
        self.certificate = certificate
        self.subject = subject
        self.issuer = issuer
        self.key = key
        self.subjectPublicKeyInfo = subjectPublicKeyInfo
    }

    /// This key, once checked to be the key of `endorsementKey` (the EK public area the device
    /// read from its TPM) and that key an EK: fixed to its TPM, a restricted decryption key,
    /// SHA-256 named, AES-CFB protected. Throws ``AttestationError/endorsementKeyMismatch(_:)``.
    public func matching(_ endorsementKey: TPMPublic) throws -> VerifiedEndorsementKey {
        switch (key, endorsementKey.key) {
        case (.rsa(let modulus, let exponent), .rsa(let tpmModulus, let tpmExponent)):
            guard modulus == Array(tpmModulus.drop { $0 == 0 }), exponent == tpmExponent else {
                throw AttestationError.endorsementKeyMismatch("the TPM's RSA key is not the certificate's")
            }
        case (.ecc(let curve, let x, let y), .ecc(let tpmCurve, let tpmX, let tpmY)):
            guard curve == Self.curveName(tpmCurve), x == Array(tpmX.drop { $0 == 0 }), y == Array(tpmY.drop { $0 == 0 }) else {
                throw AttestationError.endorsementKeyMismatch("the TPM's ECC key is not the certificate's")
            }
        default:
            throw AttestationError.endorsementKeyMismatch("the TPM's key is \(endorsementKey.type), the certificate's is not")
        }
        let required: TPMObjectAttributes = [.fixedTPM, .fixedParent, .restricted, .decrypt]
        guard endorsementKey.attributes.isSuperset(of: required), !endorsementKey.attributes.contains(.sign) else {
            throw AttestationError.endorsementKeyMismatch("its attributes are \(endorsementKey.attributes), an EK's include \(required) and not sign")
        }
        guard endorsementKey.nameAlgorithm == .sha256 else {
            throw AttestationError.unsupported("an EK with nameAlg \(endorsementKey.nameAlgorithm) (only TPM_ALG_SHA256)")
        }
        guard let symmetric = endorsementKey.symmetric, symmetric.algorithm == .aes, symmetric.mode == .cfb,
              [128, 256].contains(symmetric.keyBits) else {
            throw AttestationError.unsupported("an EK whose symmetric algorithm is not AES-128 or AES-256 in CFB mode")
        }
        var matched = self
        matched.nameAlgorithm = endorsementKey.nameAlgorithm
        matched.symmetricKeyBits = Int(symmetric.keyBits)
        matched.matchedTPM = true
        return matched
    }

    /// OpenSSL's name for a TPM's curve.
    static func curveName(_ curve: TPMECCCurve) -> String {
        switch curve {
        case .nistP256: "prime256v1"
        case .nistP384: "secp384r1"
        case .nistP521: "secp521r1"
        default: "\(curve)"
        }
    }
}
