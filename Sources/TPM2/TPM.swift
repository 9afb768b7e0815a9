#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A TPM 2.0, spoken to through a ``TPMTransport``: what a device needs to prove to the
/// controller that it holds the TPM its EK certificate names.
///
/// ```swift
/// let tpm = TPM(transport: try TPMDevice())
/// let certificate = try tpm.endorsementCertificate()          // DER, or nil if never provisioned
/// let ek = try tpm.endorsementKey()
/// let ak = try tpm.makeAttestationKey()
/// defer { try? tpm.flush(ak) }
/// // send certificate, ek.publicArea, ak.public.publicArea and ak.name; receive a challenge
/// let secret = try tpm.activateCredential(key: ak, credentialBlob: blob, encryptedSecret: encryptedSeed)
/// ```
///
/// Every command authorizes with empty passwords (a freshly provisioned TPM's, and libvirt's
/// swtpm's). Objects and sessions this type loads for one call are flushed before it returns.
public struct TPM {
    public let transport: any TPMTransport

    public init(transport: any TPMTransport) { self.transport = transport }

    /// The RSA-2048 EK certificate (DER) from NV index 0x01c00002, or nil when the index is not
    /// defined: a TPM whose manufacturer (or swtpm_setup) provisioned none.
    public func endorsementCertificate() throws -> [UInt8]? {
        guard let index = try nvReadPublic(.rsaEndorsementCertificate) else { return nil }
        return try nvRead(index)
    }

    /// The EK's public area: the key persisted at 0x81010001 or, when none is, the one
    /// `TPM2_CreatePrimary` makes from the TCG default RSA-2048 template (the same key: a
    /// primary key follows from the hierarchy's seed and its template).
    public func endorsementKey() throws -> TPMPublic {
        try withEndorsementKey { _, key in key }
    }

    /// Creates a primary attestation key under the endorsement hierarchy (restricted, signing,
    /// fixed to this TPM). It stays loaded until ``flush(_:)``.
    public func makeAttestationKey(_ algorithm: AttestationKey.Algorithm = .rsa2048) throws -> AttestationKey {
        let created = try createPrimary(in: .endorsement, template: TPMTemplate.attestationKey(algorithm))
        return AttestationKey(handle: created.handle, public: created.public, name: created.name)
    }

    /// `TPM2_ActivateCredential`: recovers the secret the controller sealed, with
    /// TPM2_MakeCredential, to this TPM's EK and `key`'s name. Only the TPM holding that EK,
    /// with `key` loaded, can. `credentialBlob` is the `TPMS_ID_OBJECT` (integrity HMAC and
    /// encrypted credential) and `encryptedSecret` the EK-encrypted seed, both without their
    /// `TPM2B` size.
    ///
    /// The EK is authorized through a policy session satisfied by `TPM2_PolicySecret` with the
    /// endorsement hierarchy, as its `authPolicy` demands.
    public func activateCredential(key: AttestationKey, credentialBlob: [UInt8], encryptedSecret: [UInt8]) throws -> [UInt8] {
        try withEndorsementKey { endorsementKey, _ in
            let session = try startPolicySession()
            return try finally({ try flushContext(session) }) {
                try policySecret(.endorsement, session: session)
                return try activateCredential(activate: key.handle, key: endorsementKey, keyAuthorization: .policy(session),
                                              credentialBlob: credentialBlob, encryptedSecret: encryptedSecret)
            }
        }
    }

    /// Unloads an attestation key.
    public func flush(_ key: AttestationKey) throws { try flushContext(key.handle) }

    /// Runs `body` with the EK's handle and public area: the persistent EK, or a transient one
    /// created for the call and flushed after it.
    private func withEndorsementKey<Result>(_ body: (TPMHandle, TPMPublic) throws -> Result) throws -> Result {
        if let persisted = try readPublic(.endorsementKey) { return try body(.endorsementKey, persisted) }
        let created = try createPrimary(in: .endorsement, template: TPMTemplate.endorsementKeyRSA2048)
        return try finally({ try flushContext(created.handle) }) { try body(created.handle, created.public) }
    }

    /// Runs `body`, then `cleanup` whatever happened. `body`'s error is the one thrown: a flush
    /// that fails after a failed command says less than the command's own error, so it is
    /// dropped; after a success, the flush's error is thrown.
    private func finally<Result>(_ cleanup: () throws -> Void, _ body: () throws -> Result) throws -> Result {
        let result: Swift.Result<Result, any Error> = Swift.Result { try body() }
        if case .failure(let error) = result {
            try? cleanup()
            throw error
        }
        try cleanup()
        return try result.get()
    }

    /// Sends `command` and parses the answer (an error code thrown as ``TPMError/response(command:code:)``).
    ///
    /// A TPM answers some commands "not now" with a warning, and the command is then sent again
    /// as it was (Part 1 §18.8; TSS stacks do the same): `TPM_RC_RETRY`, which libtpms gives the
    /// first use of a dictionary-attack-protected key after startup while it records that in
    /// NV, `TPM_RC_YIELDED`, and `TPM_RC_TESTING` during the self-test (waited out 10 ms at a time).
    func execute(_ command: TPMCommand, handleCount: Int = 0) throws -> TPMResponse {
        let bytes = command.bytes
        var attempt = 1
        while true {
            do {
                return try TPMResponse(try transport.transmit(bytes), command: command.code, handleCount: handleCount,
                                       sessionCount: command.sessions.count)
            } catch TPMError.response(_, let code) where Self.tryAgain.contains(code) && attempt < Self.attempts {
                if code == .testing { usleep(10_000) }
                attempt += 1
            }
        }
    }

    /// Like ``execute(_:handleCount:)``, but nil when the TPM has nothing at the command's first
    /// handle (`TPM_RC_HANDLE` on handle 1): an NV index not defined, no persistent key.
    func executeUnlessAbsent(_ command: TPMCommand) throws -> TPMResponse? {
        do {
            return try execute(command)
        } catch TPMError.response(_, let code) where code.base == .handle && code.handleNumber == 1 {
            return nil
        }
    }

    private static let tryAgain: Set<TPMResponseCode> = [.retry, .yielded, .testing]
    private static let attempts = 50
}
