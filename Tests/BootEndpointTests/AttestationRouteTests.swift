import Foundation
import Testing
import BootEndpoint
import DeviceProtocol
import LabService
import LabFiles
import TPM2
import DeviceIdentity
import TestSupport

/// TPM attestation at the endpoint (`/tpm/v1/attest`, `/tpm/v1/activate`), with real TPMs
/// (swtpm) and a CA of the test's own as the lab's EK authority: only a TPM whose EK certificate
/// chains to it, and which holds that EK, is attested.
@Suite("TPM attestation: the EK certificate checked against the lab's CA, possession proven", .needs(.swtpm))
struct AttestationRouteTests {
    /// What a device's TPM shows: its EK certificate, its EK and a new AK (loaded until swtpm stops).
    struct Shown: Sendable {
        let evidence: AttestationEvidence
        let key: AttestationKey
    }

    /// Reads a TPM's evidence, on a thread of its own (a TPM's socket blocks).
    static func show(_ process: SwtpmProcess) async throws -> Shown {
        try await onThreadOfItsOwn {
            let tpm = TPM(transport: try TPMSocket(port: process.port))
            let key = try tpm.makeAttestationKey()
            return Shown(evidence: AttestationEvidence(endorsementCertificate: try tpm.endorsementCertificate().map { Data($0) },
                                                       endorsementKey: Data(try tpm.endorsementKey().publicArea),
                                                       attestationKey: Data(key.public.publicArea)), key: key)
        }
    }

    static func activate(_ process: SwtpmProcess, _ shown: Shown, _ challenge: AttestationChallenge) async throws -> Data {
        try await onThreadOfItsOwn {
            Data(try TPM(transport: try TPMSocket(port: process.port))
                .activateCredential(key: shown.key, credentialBlob: Array(challenge.credentialBlob),
                                    encryptedSecret: Array(challenge.encryptedSecret)))
        }
    }

    struct Door {
        let client: HTTPTestClient
        let token: String

        func attest(_ evidence: AttestationEvidence?) async throws -> HTTPTestClient.Reply {
            try await client.post(DevicePaths.attest, json: Self.json(AttestationRequest(device: "sales-1", evidence: evidence)),
                                  token: token)
        }

        func activate(_ id: String, _ secret: Data) async throws -> HTTPTestClient.Reply {
            try await client.post(DevicePaths.activate, json: Self.json(AttestationProof(device: "sales-1", id: id, secret: secret)), token: token)
        }

        static func json(_ value: some Encodable) throws -> String {
            String(decoding: try ProtocolJSON.encoder().encode(value), as: UTF8.self)
        }
    }

    /// A refusal's Windows error code and message.
    static func refusal(_ reply: HTTPTestClient.Reply) -> (code: String?, message: String) {
        let error = reply.json["error"] as? [String: Any]
        return ((error?["details"] as? [String: Any])?["errorCode"] as? String, error?["message"] as? String ?? reply.text)
    }

    /// Runs `body` with a TPM certified by the lab's CA and one by another CA, both stopped after.
    /// Manufacturing the TPMs and starting swtpm block: on a thread of their own, never the
    /// cooperative pool's (the endpoint's tasks, and other tests', run there).
    static func withTPMs(_ body: (SwtpmLab, _ certified: SwtpmProcess, _ foreign: SwtpmProcess) async throws -> Void) async throws {
        let (swtpms, certified, foreign) = try await onThreadOfItsOwn {
            let swtpms = try SwtpmLab.shared()
            return (swtpms, try swtpms.start(.certified), try swtpms.start(.certifiedByOtherCA))
        }
        defer {
            certified.stop()
            foreign.stop()
        }
        try await body(swtpms, certified, foreign)
    }

    @Test func aCertifiedTPMActivatesItsCredentialAndNothingElsePasses() async throws {
        try await Self.withTPMs { swtpms, certified, foreign in
            let running = try await RunningEndpoint.start(tpmTrust: .endorsementAuthority(swtpms.ca.directory))
            let door = Door(client: running.client, token: try running.token(of: "sales-1"))

            // The certified TPM: a challenge, the secret only it recovers, attested; once.
            let shown = try await Self.show(certified)
            let challenged = try await door.attest(shown.evidence)
            #expect(challenged.status == 200, "\(challenged.text)")
            let challenge = try ProtocolJSON.decoder().decode(AttestationChallenge.self, from: Data(challenged.text.utf8))
            #expect(challenge.credentialBlob.count > 32 && challenge.encryptedSecret.count == 256)
            let secret = try await Self.activate(certified, shown, challenge)
            let attested = try await door.activate(challenge.id, secret)
            #expect(attested.status == 200, "\(attested.text)")
            #expect((attested.json["issuer"] as? String)?.hasPrefix("CN=") == true)
            // The key it certified, named as a hardware hash names it.
            guard case .rsa(let modulus, _) = try TPMPublic(publicArea: Array(shown.evidence.endorsementKey)).key else {
                Issue.record("the EK is not RSA")
                return
            }
            let digest = SHA256.hash(modulus.drop { $0 == 0 }).map { String(format: "%02x", $0) }.joined()
            #expect(attested.json["endorsementKeyDigest"] as? String == digest)
            let replayed = try await door.activate(challenge.id, secret)
            #expect(replayed.status == 403 && Self.refusal(replayed).message.contains("no challenge"))

            // A wrong secret: the device does not hold the EK its certificate names.
            let again = try ProtocolJSON.decoder().decode(AttestationChallenge.self, from: Data(try await door.attest(shown.evidence).text.utf8))
            let guessed = try await door.activate(again.id, Data(repeating: 7, count: 32))
            #expect(guessed.status == 403 && Self.refusal(guessed).code == "0x801C03EA")
            #expect(Self.refusal(guessed).message.contains("did not recover the credential's secret"))

            // Another CA's TPM: its certificate does not chain, said with OpenSSL's reason.
            let stranger = try await Self.show(foreign)
            let unchained = try await door.attest(stranger.evidence)
            #expect(unchained.status == 403 && Self.refusal(unchained).code == "0x801C03EA")
            #expect(Self.refusal(unchained).message.contains("does not chain"), "\(unchained.text)")

            // The certified TPM's certificate shown with another TPM's EK.
            let borrowed = AttestationEvidence(endorsementCertificate: shown.evidence.endorsementCertificate,
                                               endorsementKey: stranger.evidence.endorsementKey, attestationKey: stranger.evidence.attestationKey)
            let mismatched = try await door.attest(borrowed)
            #expect(mismatched.status == 403 && Self.refusal(mismatched).message.contains("not the certified one"), "\(mismatched.text)")

            // A real VM must show evidence, and only for itself.
            let bare = try await door.attest(nil)
            #expect(bare.status == 403 && Self.refusal(bare).message.contains("no TPM evidence"))
            let request = AttestationRequest(device: "sales-1", evidence: shown.evidence)
            #expect(try await running.client.post(DevicePaths.attest, json: Door.json(request), token: try running.token(of: "sales-2")).status == 403)
            #expect(try await running.client.post(DevicePaths.attest, json: Door.json(request)).status == 401)
            try await running.stop()
        }
    }

    /// A lab over hosts whose swtpm local CAs differ (separate machines): each host's `ekAuthority`
    /// is trusted beside the controller's CA, which stops being trusted once every host names its own.
    @Test func eachHostsEKAuthorityIsTrustedAndTheControllersOnlyWhileAHostNamesNone() async throws {
        try await Self.withTPMs { swtpms, certified, foreign in
            let folder = makeTemporaryDirectory("pxelab-ek-authority")
            defer { try? FileManager.default.removeItem(at: folder) }
            // The other CA as one PEM file, the issuer before the root, as `cat` of the host's folder makes it.
            let pem = folder.appendingPathComponent("rack2-ca.pem")
            try (Data(contentsOf: swtpms.otherCA.issuerCertificate) + Data(contentsOf: swtpms.otherCA.rootCertificate)).write(to: pem)
            func lab(hosts: String) -> String { endpointLab.replacingOccurrences(of: "models:\n", with: "hosts:\n\(hosts)models:\n") }
            // Each TPM shows its evidence once: every new attestation key takes one of its few object slots.
            let (certified, foreign) = (try await Self.show(certified).evidence, try await Self.show(foreign).evidence)
            func attests(_ evidence: AttestationEvidence, hosts: String, runOn: [LabHost]? = nil) async throws -> HTTPTestClient.Reply {
                let running = try await RunningEndpoint.start(lab: lab(hosts: hosts), tpmTrust: .endorsementAuthority(swtpms.ca.directory),
                                                              attestedHosts: runOn, secureBootNetwork: false)
                let reply = try await Door(client: running.client, token: try running.token(of: "sales-1")).attest(evidence)
                try await running.stop()
                return reply
            }
            let mixed = """
                  rack1: qemu:///system
                  rack2: { uri: "qemu+tcp://198.18.0.2/system", ekAuthority: \(swtpms.otherCA.directory.path) }

                """
            #expect(try await attests(certified, hosts: mixed).status == 200)
            #expect(try await attests(foreign, hosts: mixed).status == 200)
            let ownCAsOnly = "  rack2: { uri: \"qemu+tcp://198.18.0.2/system\", ekAuthority: \(pem.path) }\n"
            #expect(try await attests(foreign, hosts: ownCAsOnly).status == 200)
            let refused = try await attests(certified, hosts: ownCAsOnly)
            #expect(refused.status == 403 && Self.refusal(refused).message.contains("does not chain"), "\(refused.text)")
            // A run with `--libvirt qemu:///system` drives the controller's own host, whatever the lab file's say.
            #expect(try await attests(certified, hosts: ownCAsOnly, runOn: [LabHost(name: "--libvirt", uri: "qemu:///system")]).status == 200)

            // An authority without its root is the lab file's mistake, said as the endpoint starts.
            let issuerOnly = folder.appendingPathComponent("issuer-only.pem")
            try FileManager.default.copyItem(at: swtpms.otherCA.issuerCertificate, to: issuerOnly)
            await #expect {
                _ = try await RunningEndpoint.start(lab: lab(hosts: "  rack2: { uri: \"qemu+tcp://198.18.0.2/system\", ekAuthority: \(issuerOnly.path) }\n"),
                                                    tpmTrust: .endorsementAuthority(swtpms.ca.directory), secureBootNetwork: false)
            } throws: { error in
                "\(error)".contains("the ekAuthority of host 'rack2'") && "\(error)".contains("is a root")
            }
        }
    }

    @Test func aVirtualDevicesTPMIsTheOneItsModelDeclares() async throws {
        let lab = endpointLab.replacingOccurrences(of: "  - { model: laptop, name: loose, serial: LOOSE-1 }",
                                                   with: "  - { model: old, name: loose, serial: LOOSE-1 }")
            .replacingOccurrences(of: "models:\n", with: "models:\n  old: { manufacturer: Contoso, product: Old Box, tpm: none }\n")
        let running = try await RunningEndpoint.start(lab: lab, tpmTrust: .labFile)
        let door = Door(client: running.client, token: try running.token(of: "sales-1"))
        let challenged = try await door.attest(nil)
        #expect(challenged.status == 200, "\(challenged.text)")
        let challenge = try ProtocolJSON.decoder().decode(AttestationChallenge.self, from: Data(challenged.text.utf8))
        let attested = try await door.activate(challenge.id, Data())
        #expect(attested.json["issuer"] as? String == "lab file (virtual TPM 2.0)")
        // A model without a TPM 2.0: the attestation never completes.
        let request = AttestationRequest(device: "loose", evidence: nil)
        let refused = try await running.client.post(DevicePaths.attest, json: Door.json(request), token: try running.token(of: "loose"))
        #expect(refused.status == 403 && Self.refusal(refused).code == "0x800705B4")
        try await running.stop()
    }
}
