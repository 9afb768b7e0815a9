/// An attestation key (AK) loaded in the TPM: a restricted signing key under the endorsement
/// hierarchy, made by ``TPM/makeAttestationKey(_:)``. Its name is what a credential is bound to.
///
/// ```swift
/// let ak = try tpm.makeAttestationKey()
/// send(ak.public.publicArea, ak.name)   // to the controller, with the EK certificate
/// defer { try? tpm.flush(ak) }
/// ```
public struct AttestationKey: Sendable, Equatable {
    /// The key types an AK can have here.
    public enum Algorithm: Sendable, Equatable {
        /// RSA-2048 signing with RSASSA-PKCS1-v1_5 and SHA-256.
        case rsa2048
        /// NIST P-256 signing with ECDSA and SHA-256 (much quicker to create than RSA).
        case eccP256
    }

    /// The transient handle the TPM gave the key (0x80xxxxxx), valid until flushed.
    public let handle: TPMHandle
    /// Its public area.
    public let `public`: TPMPublic
    /// `TPM_ALG_SHA256 || SHA-256(TPMT_PUBLIC)`, as computed here and confirmed by the TPM.
    public let name: [UInt8]
}
