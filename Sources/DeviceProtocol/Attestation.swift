public import Foundation

/// What a device's TPM 2.0 shows the lab's attestation service (`POST /tpm/v1/attest`): the
/// endorsement key (EK) certificate its maker provisioned, the EK's public area, and an
/// attestation key (AK) made for this attestation. Binary values travel as base64.
public struct AttestationEvidence: Codable, Sendable, Equatable {
    /// The EK certificate, DER (the TCG's NV index 0x01c00002); nil when the TPM has none.
    public var endorsementCertificate: Data?
    /// The EK's public area (`TPMT_PUBLIC`), as the TPM reads it out.
    public var endorsementKey: Data
    /// The AK's public area (`TPMT_PUBLIC`); its name binds the credential.
    public var attestationKey: Data

    public init(endorsementCertificate: Data?, endorsementKey: Data, attestationKey: Data) {
        self.endorsementCertificate = endorsementCertificate
        self.endorsementKey = endorsementKey
        self.attestationKey = attestationKey
    }
}

/// A device asks to be attested: its TPM's evidence, or none for a virtual device, whose TPM
/// is the one its lab file declares.
public struct AttestationRequest: Codable, Sendable, Equatable {
    public var device: String
    public var evidence: AttestationEvidence?

    public init(device: String, evidence: AttestationEvidence?) {
        self.device = device
        self.evidence = evidence
    }
}

/// The service's answer to evidence it accepts: a credential only the TPM holding that EK can
/// activate (`TPM2_MakeCredential`'s output), or, for a virtual device, nothing to prove.
public struct AttestationChallenge: Codable, Sendable, Equatable {
    public var id: String
    /// `TPM2B_ID_OBJECT`'s contents; empty for a virtual device.
    public var credentialBlob: Data
    /// `TPM2B_ENCRYPTED_SECRET`'s contents; empty for a virtual device.
    public var encryptedSecret: Data

    public init(id: String, credentialBlob: Data, encryptedSecret: Data) {
        self.id = id
        self.credentialBlob = credentialBlob
        self.encryptedSecret = encryptedSecret
    }
}

/// The device's proof (`POST /tpm/v1/activate`): the secret its TPM recovered.
public struct AttestationProof: Codable, Sendable, Equatable {
    public var device: String
    public var id: String
    public var secret: Data

    public init(device: String, id: String, secret: Data) {
        self.device = device
        self.id = id
        self.secret = secret
    }
}

/// The service's verdict on a proof it accepts: who issued the EK certificate it checked, and
/// which key it certified.
public struct AttestationResult: Codable, Sendable, Equatable {
    /// The EK certificate's issuer, or `lab file (virtual TPM 2.0)` for a virtual device.
    public var issuer: String
    /// The SHA-256 of the attested EK's public key (its RSA modulus), hex, as a hardware hash
    /// names it; nil for a virtual device.
    public var endorsementKeyDigest: String?

    public init(issuer: String, endorsementKeyDigest: String?) {
        self.issuer = issuer
        self.endorsementKeyDigest = endorsementKeyDigest
    }
}
