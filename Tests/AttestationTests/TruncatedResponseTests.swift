import Attestation
import Testing
import TestSupport
import TPM2

/// Every response of a whole attestation, cut at every length, fed back to the TPM code in place
/// of the real one: each must throw, none may crash.
@Suite("attestation: truncated TPM responses", .needs(.swtpm))
struct TruncatedResponseTests {
    /// Passes commands to a TPM and keeps its responses.
    final class Recorder: TPMTransport {
        let tpm: any TPMTransport
        var responses: [[UInt8]] = []
        init(_ tpm: any TPMTransport) { self.tpm = tpm }
        func transmit(_ command: [UInt8]) throws -> [UInt8] {
            let response = try tpm.transmit(command)
            responses.append(response)
            return response
        }
    }

    /// Answers with recorded responses in order, one of them cut to `length` bytes.
    final class Replay: TPMTransport {
        let responses: [[UInt8]]
        let cut: (index: Int, length: Int)?
        var next = 0
        init(_ responses: [[UInt8]], cut: (index: Int, length: Int)?) {
            self.responses = responses
            self.cut = cut
        }
        func transmit(_ command: [UInt8]) throws -> [UInt8] {
            defer { next += 1 }
            guard next < responses.count else { throw TPMError.transport(endpoint: "replay", operation: "transmit", reason: "no more responses") }
            guard let cut, cut.index == next else { return responses[next] }
            return Array(responses[next].prefix(cut.length))
        }
    }

    /// A device's whole part: evidence, the challenge (made by `challenge`), activation, flush.
    static func attest(_ tpm: TPM, challenge: (AttestationTests.Evidence) throws -> CredentialChallenge) throws -> [UInt8] {
        let evidence = try AttestationTests.evidence(tpm, .eccP256)
        let made = try challenge(evidence)
        let secret = try tpm.activateCredential(key: evidence.attestationKey, credentialBlob: made.credentialBlob,
                                                encryptedSecret: made.encryptedSecret)
        try tpm.flush(evidence.attestationKey)
        return secret
    }

    @Test("each response cut at each length throws a TPMError")
    func everyCut() async throws {
        let secret = AttestationTests.randomSecret()
        let (responses, challenge) = try await SwtpmLab.withSwtpms([.certified]) { ports in
            let recorder = Recorder(try TPMSocket(port: ports[0]))
            var made: CredentialChallenge?
            let recovered = try Self.attest(TPM(transport: recorder)) { evidence in
                made = try AttestationTests.challenge(evidence, secret: secret)
                return made!
            }
            guard recovered == secret else { throw TPMError.unsupported("the recorded attestation did not recover the secret") }
            return (recorder.responses, made!)
        }
        // Untouched, the replay is the attestation again.
        #expect(try Self.attest(TPM(transport: Replay(responses, cut: nil))) { _ in challenge } == secret)
        var cuts = 0
        for (index, response) in responses.enumerated() {
            for length in 0..<response.count {
                cuts += 1
                #expect(throws: TPMError.self, "response \(index) cut to \(length) of \(response.count) bytes") {
                    _ = try Self.attest(TPM(transport: Replay(responses, cut: (index, length)))) { _ in challenge }
                }
            }
        }
        #expect(responses.count >= 9 && cuts > 2000)
    }
}
