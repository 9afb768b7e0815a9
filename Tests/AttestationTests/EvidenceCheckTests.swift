import Attestation
import Foundation
import Testing
import TestSupport
import TPM2

/// The controller's refusals of evidence that is not what it claims, on keys from a real TPM.
@Suite("attestation: evidence refused", .needs(.swtpm))
struct EvidenceCheckTests {
    @Test("an AK whose name is not its public area's hash, or which is no restricted signing key, is refused")
    func attestationKeyChecks() async throws {
        let (ak, ek) = try await SwtpmLab.withTPM(.certified) { tpm in
            let ak = try tpm.makeAttestationKey(.eccP256)
            try tpm.flush(ak)
            return (ak, try tpm.endorsementKey())
        }
        let verified = try VerifiedAttestationKey(publicArea: ak.public.publicArea, name: ak.name)
        #expect(verified.public.attributes.isSuperset(of: VerifiedAttestationKey.requiredAttributes))

        var otherName = ak.name
        otherName[otherName.count - 1] ^= 0xFF
        #expect(throws: AttestationError.invalidAttestationKey("its name is not the hash of its public area")) {
            try VerifiedAttestationKey(publicArea: ak.public.publicArea, name: otherName)
        }
        // The EK offered as an AK: a decryption key, not a signing one.
        do {
            _ = try VerifiedAttestationKey(publicArea: ek.publicArea, name: try ek.name())
            Issue.record("the EK was taken for an AK")
        } catch AttestationError.invalidAttestationKey(let reason) {
            #expect(reason.contains("lack sign"))
        }
        // Cut short: the parser's reason comes through.
        #expect(throws: AttestationError.self) { try VerifiedAttestationKey(publicArea: Array(ak.public.publicArea.dropLast()), name: ak.name) }
    }

    @Test("an AK's public area offered as the EK does not match the EK certificate")
    func endorsementKeyMismatch() async throws {
        let (certificate, ak) = try await SwtpmLab.withTPM(.certified) { tpm in
            let ak = try tpm.makeAttestationKey(.rsa2048)
            try tpm.flush(ak)
            return (try tpm.endorsementCertificate(), ak)
        }
        let verified = try AttestationTests.authority().verify(endorsementCertificate: try #require(certificate))
        #expect(throws: AttestationError.endorsementKeyMismatch("the TPM's RSA key is not the certificate's")) {
            try verified.matching(ak.public)
        }
    }

    @Test("bytes that are not a certificate fail with OpenSSL's reason")
    func notACertificate() throws {
        let authority = try AttestationTests.authority()
        for bytes: [UInt8] in [[], [0x30, 0x03, 0x02, 0x01], Array("not DER at all".utf8)] {
            do {
                _ = try authority.verify(endorsementCertificate: bytes)
                Issue.record("\(bytes) verified")
            } catch AttestationError.openSSL(let error) {
                #expect(error.function == "d2i_X509")
                #expect(!error.reasons.isEmpty)
            }
        }
    }

    @Test("an authority file that is missing or holds no certificate is an error naming it")
    func unreadableAuthority() throws {
        let folder = makeTemporaryDirectory("pxelab-attestation")
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty.pem")
        try Data("no certificate here\n".utf8).write(to: empty)
        for file in [folder.appendingPathComponent("missing.pem"), empty] {
            do {
                _ = try EndorsementAuthority(rootCertificatePEM: file)
                Issue.record("\(file.path) read")
            } catch AttestationError.unreadable(let path, let reason) {
                #expect(path == file.path)
                #expect(!reason.isEmpty)
            }
        }
    }

    @Test("a secret longer than the EK's digest, or a name that is no SHA-256 name, is refused before any crypto")
    func invalidChallenge() async throws {
        let certificate = try await SwtpmLab.withTPM(.certified) { tpm in
            try tpm.endorsementCertificate()
        }
        let key = try AttestationTests.authority().verify(endorsementCertificate: try #require(certificate))
        let name = [0x00, 0x0B] + [UInt8](repeating: 7, count: 32)
        #expect(throws: AttestationError.invalidChallenge("a secret of 33 bytes (1 to 32)")) {
            try CredentialChallenge.make(for: key, attestationKeyName: name, secret: [UInt8](repeating: 1, count: 33))
        }
        #expect(throws: AttestationError.self) {
            try CredentialChallenge.make(for: key, attestationKeyName: Array(name.dropLast()), secret: [1])
        }
    }
}
