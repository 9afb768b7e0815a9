import Attestation
import Foundation
import Testing
import TestSupport
import TPM2

/// The controller's checks against real TPMs: swtpm manufactured with a local CA of the test's,
/// as libvirt does for a vTPM.
@Suite("attestation on swtpm", .needs(.swtpm))
struct AttestationTests {
    /// The lab's authority: the test CA's root, with its issuer as the intermediate.
    static func authority() throws -> EndorsementAuthority {
        try EndorsementAuthority.swtpmLocalCA(directory: SwtpmLab.shared().ca.directory)
    }

    /// What a device sends the controller: its EK certificate, EK public area, AK public area and name.
    struct Evidence: Sendable {
        let certificate: [UInt8]
        let endorsementKey: TPMPublic
        let attestationKey: AttestationKey
    }

    static func evidence(_ tpm: TPM, _ algorithm: AttestationKey.Algorithm = .rsa2048) throws -> Evidence {
        guard let certificate = try tpm.endorsementCertificate() else { throw TPMError.unsupported("no EK certificate") }
        return Evidence(certificate: certificate, endorsementKey: try tpm.endorsementKey(), attestationKey: try tpm.makeAttestationKey(algorithm))
    }

    /// The controller's side: certificate, EK, AK checked, then the challenge made.
    static func challenge(_ evidence: Evidence, secret: [UInt8]) throws -> CredentialChallenge {
        let endorsementKey = try authority().verify(endorsementCertificate: evidence.certificate).matching(evidence.endorsementKey)
        let attestationKey = try VerifiedAttestationKey(publicArea: evidence.attestationKey.public.publicArea, name: evidence.attestationKey.name)
        return try CredentialChallenge.make(for: endorsementKey, attestationKeyName: attestationKey.name, secret: secret)
    }

    static func randomSecret() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255) } }

    @Test("the EK certificate read over TPM2_NV_Read chains to the lab's CA, and certifies the EK at 0x81010001")
    func certificateVerifies() async throws {
        let (certificate, endorsementKey) = try await SwtpmLab.withTPM(.certified) { tpm in
            return (try tpm.endorsementCertificate(), try tpm.endorsementKey())
        }
        let verified = try Self.authority().verify(endorsementCertificate: try #require(certificate))
        #expect(verified.issuer == "CN=swtpm-localca")
        guard case .rsa(let modulus, let exponent) = verified.key, case .rsa(let tpmModulus, _) = endorsementKey.key else {
            Issue.record("not RSA: \(verified.key)")
            return
        }
        #expect(modulus == tpmModulus && exponent == 65537)
        let matched = try verified.matching(endorsementKey)
        #expect(matched.matchedTPM && matched.nameAlgorithm == .sha256 && matched.symmetricKeyBits == 128)
    }

    @Test("makeAttestationKey, MakeCredential on the host, ActivateCredential in the TPM: the secret comes back",
          arguments: [AttestationKey.Algorithm.rsa2048, .eccP256])
    func roundTrip(algorithm: AttestationKey.Algorithm) async throws {
        let secret = Self.randomSecret()
        let recovered = try await SwtpmLab.withTPM(.certified) { tpm in
            let evidence = try Self.evidence(tpm, algorithm)
            let challenge = try Self.challenge(evidence, secret: secret)
            let recovered = try tpm.activateCredential(key: evidence.attestationKey, credentialBlob: challenge.credentialBlob,
                                                       encryptedSecret: challenge.encryptedSecret)
            try tpm.flush(evidence.attestationKey)
            return recovered
        }
        #expect(recovered == secret)
    }

    @Test("an EK certificate from another CA does not chain, and the error says why")
    func otherCA() async throws {
        let certificate = try await SwtpmLab.withTPM(.certifiedByOtherCA) { tpm in
            try tpm.endorsementCertificate()
        }
        do {
            _ = try Self.authority().verify(endorsementCertificate: try #require(certificate))
            Issue.record("another CA's EK certificate verified")
        } catch AttestationError.certificateDoesNotChain(_, let issuer, let reason, let depth) {
            #expect(reason == "unable to get local issuer certificate")
            #expect(issuer == "CN=swtpm-localca" && depth == 0)
        }
        // The other CA's own authority accepts it: the refusal is about trust, not form.
        let other = try EndorsementAuthority.swtpmLocalCA(directory: SwtpmLab.shared().otherCA.directory)
        _ = try other.verify(endorsementCertificate: try #require(certificate))
    }

    /// Two swtpm local CAs have the same names (`CN=swtpm-localca`, its root's): trusted together,
    /// each EK certificate still finds its own CA's issuer and root, and a forged chain none.
    @Test("CAs trusted together: each EK certificate chains to its own CA")
    func combined() async throws {
        let certificates = try await SwtpmLab.withTPMs([.certified, .certifiedByOtherCA]) { tpms in
            try tpms.map { try $0.endorsementCertificate() ?? [] }
        }
        let lab = try SwtpmLab.shared()
        let both = EndorsementAuthority(combining: [try Self.authority(), try EndorsementAuthority(contentsOf: lab.otherCA.directory)])
        #expect(both.roots.count == 2 && both.intermediates.count == 2)
        for certificate in certificates { _ = try both.verify(endorsementCertificate: certificate) }
        // The other CA's root behind this CA's issuer: the same names, the wrong key.
        let crossed = try EndorsementAuthority(rootCertificatePEM: lab.otherCA.rootCertificate, intermediatePEMs: [lab.ca.issuerCertificate])
        #expect(throws: AttestationError.self) { try crossed.verify(endorsementCertificate: certificates[0]) }
    }

    /// A CA as one PEM file (a host's swtpm local CA, its two certificates in any order).
    @Test("a CA read from one PEM file: roots by being self-issued, the rest intermediates")
    func onePEMFile() throws {
        let lab = try SwtpmLab.shared()
        let folder = makeTemporaryDirectory("pxelab-ca-pem")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("ca.pem")
        try (Data(contentsOf: lab.ca.issuerCertificate) + Data(contentsOf: lab.ca.rootCertificate)).write(to: file)
        let authority = try EndorsementAuthority(contentsOf: file)
        let folderAuthority = try Self.authority()
        #expect(authority.roots == folderAuthority.roots && authority.intermediates == folderAuthority.intermediates)
        let issuerOnly = folder.appendingPathComponent("issuer.pem")
        try FileManager.default.copyItem(at: lab.ca.issuerCertificate, to: issuerOnly)
        #expect {
            try EndorsementAuthority(contentsOf: issuerOnly)
        } throws: { error in
            guard case AttestationError.unreadable(let path, let reason) = error else { return false }
            return path == issuerOnly.path && reason.contains("none of its 1 certificates is a root")
        }
    }

    @Test("a challenge made for TPM A's EK cannot be activated by TPM B")
    func possession() async throws {
        let secret = Self.randomSecret()
        let (stolen, mismatch, ownSecret, own) = try await SwtpmLab.withTPMs([.certified, .certifiedByOtherCA]) { tpms in
            let (a, b) = (tpms[0], tpms[1])
            let evidenceA = try Self.evidence(a)
            let evidenceB = try Self.evidence(b)
            // B presents A's certificate and EK with its own AK: the challenge is sealed to A's EK.
            let challenge = try Self.challenge(Evidence(certificate: evidenceA.certificate, endorsementKey: evidenceA.endorsementKey,
                                                        attestationKey: evidenceB.attestationKey), secret: secret)
            let stolen = Result { try b.activateCredential(key: evidenceB.attestationKey, credentialBlob: challenge.credentialBlob,
                                                           encryptedSecret: challenge.encryptedSecret) }
            // B's own EK is not the one A's certificate certifies.
            let mismatch = Result { try Self.authority().verify(endorsementCertificate: evidenceA.certificate).matching(evidenceB.endorsementKey) }
            // B still works: the refusal was no failure mode.
            let ownSecret = Self.randomSecret()
            let ownKey = try EndorsementAuthority.swtpmLocalCA(directory: SwtpmLab.shared().otherCA.directory)
                .verify(endorsementCertificate: evidenceB.certificate).matching(evidenceB.endorsementKey)
            let ownChallenge = try CredentialChallenge.make(for: ownKey, attestationKeyName: evidenceB.attestationKey.name, secret: ownSecret)
            let own = try b.activateCredential(key: evidenceB.attestationKey, credentialBlob: ownChallenge.credentialBlob,
                                               encryptedSecret: ownChallenge.encryptedSecret)
            return (stolen, mismatch, ownSecret, own)
        }
        guard case .failure(TPMError.response(.activateCredential, let code)) = stolen else {
            Issue.record("TPM B activated A's credential: \(stolen)")
            return
        }
        // The seed does not decrypt with B's EK: libtpms (swtpm) says TPM_RC_FAILURE when OpenSSL's
        // OAEP decryption fails; the reference implementation says TPM_RC_VALUE on the secret.
        #expect(code == .failure || (code.base == .value && code.parameterNumber == 2), "\(code)")
        #expect(own == ownSecret)
        guard case .failure(AttestationError.endorsementKeyMismatch) = mismatch else {
            Issue.record("B's EK matched A's certificate: \(mismatch)")
            return
        }
    }

    @Test("a tampered credential blob fails the TPM's integrity check")
    func tamperedBlob() async throws {
        let outcome = try await SwtpmLab.withTPM(.certified) { tpm in
            let evidence = try Self.evidence(tpm)
            let challenge = try Self.challenge(evidence, secret: Self.randomSecret())
            var blob = challenge.credentialBlob
            blob[blob.count - 1] ^= 0x01  // a bit of the encrypted credential
            return Result { try tpm.activateCredential(key: evidence.attestationKey, credentialBlob: blob,
                                                       encryptedSecret: challenge.encryptedSecret) }
        }
        guard case .failure(let error as TPMError) = outcome, let code = error.responseCode else {
            Issue.record("the tampered blob was activated: \(outcome)")
            return
        }
        #expect(code.base == .integrity)
        #expect("\(error)" == "TPM2_ActivateCredential: TPM_RC_INTEGRITY (0x1df, parameter 1)")
    }
}
