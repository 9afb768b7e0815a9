public import TPM2

/// An attestation key's public area as a device sent it, checked: its name is the hash of the
/// area, and the area makes it an AK (restricted signing, generated in and fixed to its TPM).
///
/// The name is what a ``CredentialChallenge`` is bound to: a TPM activates the credential only
/// with a loaded object of that name beside the EK, so a device that answers holds an AK with
/// exactly these attributes in the TPM the EK certificate names.
///
/// ```swift
/// let ak = try VerifiedAttestationKey(publicArea: akPublicArea, name: akName)
/// ak.public.attributes   // fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|restricted|sign
/// ```
public struct VerifiedAttestationKey: Sendable, Equatable {
    public let `public`: TPMPublic
    public let name: [UInt8]

    /// What an AK's attributes must include.
    public static let requiredAttributes: TPMObjectAttributes = [.fixedTPM, .fixedParent, .sensitiveDataOrigin, .restricted, .sign]

    /// Parses `publicArea` (a `TPMT_PUBLIC`) and checks `name` and the attributes; throws
    /// ``AttestationError/invalidAttestationKey(_:)`` saying which fails.
    public init(publicArea: [UInt8], name: [UInt8]) throws {
        let parsed: TPMPublic
        let computed: [UInt8]
        do {
            parsed = try TPMPublic(publicArea: publicArea)
            computed = try parsed.name()
        } catch let error as TPMError {
            throw AttestationError.invalidAttestationKey("\(error)")
        }
        guard computed == name else { throw AttestationError.invalidAttestationKey("its name is not the hash of its public area") }
        let missing = Self.requiredAttributes.subtracting(parsed.attributes)
        guard missing.isEmpty else { throw AttestationError.invalidAttestationKey("its attributes \(parsed.attributes) lack \(missing)") }
        guard !parsed.attributes.contains(.decrypt) else {
            throw AttestationError.invalidAttestationKey("it is a decryption key too (\(parsed.attributes))")
        }
        self.public = parsed
        self.name = name
    }
}
