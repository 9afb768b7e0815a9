internal import TPM2

/// TPM2_MakeCredential done in software (TPM 2.0 Part 1 §24; Part 3 §12.6): a secret sealed so
/// that only the TPM holding the EK, with a loaded object of the given name, recovers it with
/// TPM2_ActivateCredential. A device that returns the secret has proven both.
///
/// - a random seed, RSA-OAEP-encrypted to the EK with label "IDENTITY" (the `encryptedSecret`);
/// - `symKey = KDFa(seed, "STORAGE", name, "", EK's AES key size)`, `HMACkey = KDFa(seed,
///   "INTEGRITY", "", "", 256)`;
/// - `encIdentity = AES-CFB(symKey, IV 0, TPM2B(secret))`, `outerHMAC = HMAC(HMACkey,
///   encIdentity || name)`; the `credentialBlob` is `TPM2B(outerHMAC) || encIdentity`.
///
/// ```swift
/// let ak = try VerifiedAttestationKey(publicArea: akPublicArea, name: akName)
/// let challenge = try CredentialChallenge.make(for: ek, attestationKeyName: ak.name, secret: secret)
/// // the device: tpm.activateCredential(key: ak, credentialBlob: challenge.credentialBlob,
/// //                                    encryptedSecret: challenge.encryptedSecret) == secret
/// ```
public struct CredentialChallenge: Sendable, Equatable {
    /// The `TPMS_ID_OBJECT` (integrity HMAC and encrypted credential), without its `TPM2B` size.
    public let credentialBlob: [UInt8]
    /// The EK-encrypted seed (`TPM2B_ENCRYPTED_SECRET`'s contents).
    public let encryptedSecret: [UInt8]

    public init(credentialBlob: [UInt8], encryptedSecret: [UInt8]) {
        self.credentialBlob = credentialBlob
        self.encryptedSecret = encryptedSecret
    }

    /// Seals `secret` (1 to 32 bytes: a `TPM2B_DIGEST` of the EK's SHA-256) to `key` and
    /// `attestationKeyName` (a SHA-256 name, 34 bytes). Only RSA EKs: an ECC EK's seed would be
    /// an ECDH exchange, not done here.
    public static func make(for key: VerifiedEndorsementKey, attestationKeyName: [UInt8], secret: [UInt8]) throws -> CredentialChallenge {
        guard case .rsa = key.key else { throw AttestationError.unsupported("MakeCredential to an ECC EK (only RSA EKs)") }
        guard key.nameAlgorithm == .sha256, let digestSize = key.nameAlgorithm.digestSize else {
            throw AttestationError.unsupported("MakeCredential with an EK nameAlg of \(key.nameAlgorithm) (only TPM_ALG_SHA256)")
        }
        guard (1...digestSize).contains(secret.count) else {
            throw AttestationError.invalidChallenge("a secret of \(secret.count) bytes (1 to \(digestSize))")
        }
        guard attestationKeyName.count == 2 + digestSize, attestationKeyName.starts(with: [0x00, 0x0B]) else {
            throw AttestationError.invalidChallenge("a name of \(attestationKeyName.count) bytes, not TPM_ALG_SHA256 || digest")
        }
        let seed = try LibCrypto.randomBytes(digestSize)
        let encryptedSecret = try LibCrypto.rsaOAEPEncrypt(subjectPublicKeyInfo: key.subjectPublicKeyInfo,
                                                           label: Array("IDENTITY".utf8) + [0], seed)
        let symmetricKey = try KDFa.sha256(key: seed, label: "STORAGE", contextU: attestationKeyName, contextV: [],
                                           bits: key.symmetricKeyBits)
        var credential = TPMWriter()
        credential.writeSized(secret)
        let encryptedIdentity = try LibCrypto.aesCFBEncrypt(key: symmetricKey, iv: [UInt8](repeating: 0, count: 16), credential.bytes)
        let hmacKey = try KDFa.sha256(key: seed, label: "INTEGRITY", contextU: [], contextV: [], bits: 8 * digestSize)
        var blob = TPMWriter()
        blob.writeSized(try LibCrypto.hmacSHA256(key: hmacKey, encryptedIdentity + attestationKeyName))
        blob.write(raw: encryptedIdentity)
        return CredentialChallenge(credentialBlob: blob.bytes, encryptedSecret: encryptedSecret)
    }
}
