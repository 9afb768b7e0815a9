/// The `TPMT_PUBLIC` templates this module creates primary keys from.
enum TPMTemplate {
    /// `PolicySecret(TPM_RH_ENDORSEMENT)`'s digest: the EK is used only by whoever holds the
    /// endorsement hierarchy's authorization (TCG EK Credential Profile §B.3.2).
    static let endorsementPolicy: [UInt8] = [
        0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
        0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA,
    ]

    /// The TCG default RSA-2048 EK template ("Low Range" L-1, EK Credential Profile §B.3.3): a
    /// restricted decryption key with AES-128-CFB, usable only through `endorsementPolicy`, its
    /// unique field 256 zero bytes. The same template on the same TPM gives the same key (the
    /// one swtpm_setup persisted and certified).
    static let endorsementKeyRSA2048: [UInt8] = {
        var writer = TPMWriter()
        writer.write(TPMAlgorithm.rsa)
        writer.write(TPMAlgorithm.sha256)
        writer.write(TPMObjectAttributes([.fixedTPM, .fixedParent, .sensitiveDataOrigin, .adminWithPolicy,
                                          .restricted, .decrypt]).rawValue)
        writer.writeSized(endorsementPolicy)
        writer.write(TPMAlgorithm.aes)
        writer.write(UInt16(128))
        writer.write(TPMAlgorithm.cfb)
        writer.write(TPMAlgorithm.null)  // scheme
        writer.write(UInt16(2048))
        writer.write(UInt32(0))  // the default exponent, 65537
        writer.writeSized([UInt8](repeating: 0, count: 256))
        return writer.bytes
    }()

    /// What an attestation key may do: sign what the TPM produced (restricted) and never leave
    /// the TPM; used with its (empty) password.
    static let attestationKeyAttributes: TPMObjectAttributes =
        [.fixedTPM, .fixedParent, .sensitiveDataOrigin, .userWithAuth, .restricted, .sign]

    /// An AK template: RSA-2048 with RSASSA-SHA256, or NIST P-256 with ECDSA-SHA256.
    static func attestationKey(_ algorithm: AttestationKey.Algorithm) -> [UInt8] {
        var writer = TPMWriter()
        writer.write(algorithm == .rsa2048 ? TPMAlgorithm.rsa : .ecc)
        writer.write(TPMAlgorithm.sha256)
        writer.write(attestationKeyAttributes.rawValue)
        writer.writeSized([])  // no policy
        writer.write(TPMAlgorithm.null)  // no symmetric: a signing key stores nothing
        switch algorithm {
        case .rsa2048:
            writer.write(TPMAlgorithm.rsassa)
            writer.write(TPMAlgorithm.sha256)
            writer.write(UInt16(2048))
            writer.write(UInt32(0))
            writer.writeSized([])
        case .eccP256:
            writer.write(TPMAlgorithm.ecdsa)
            writer.write(TPMAlgorithm.sha256)
            writer.write(TPMECCCurve.nistP256.rawValue)
            writer.write(TPMAlgorithm.null)  // KDF
            writer.writeSized([])
            writer.writeSized([])
        }
        return writer.bytes
    }
}
