public import Foundation
public import DeviceProtocol
import Attestation
import DeviceIdentity
public import LabFiles
import Synchronization
import TPM2

/// The lab's TPM attestation service: what Microsoft's service checks when a self-deploying or
/// pre-provisioning device secures its hardware. A real VM proves its TPM: its EK certificate
/// must chain to one of the lab's EK authorities (swtpm's local CA, which certifies libvirt's
/// vTPMs: the controller's, and each host's own that the lab file names as `ekAuthority`), the
/// EK its TPM reads must be the certified one, and it must recover a secret sealed to that EK
/// and a fresh attestation key (`TPM2_MakeCredential`), which only that TPM can. A virtual
/// device's TPM is the one its model declares.
///
/// A refusal is ``AttestationRefusal``: Windows's 0x801C03EA ("TPM attestation failed") with why.
public final class TPMAttestation: Sendable {
    /// Where the devices' TPMs come from.
    public enum Trust: Sendable {
        /// In-process virtual devices: their model's TPM.
        case labFile
        /// Real VMs: each proves its TPM against its host's `ekAuthority`, or, where the host names
        /// none, the EK authority in this folder (swtpm's local CA on the controller's machine).
        case endorsementAuthority(URL)

        /// swtpm's local CA, where libvirt's vTPMs get their EK certificates.
        public static let swtpmLocalCA = Trust.endorsementAuthority(URL(fileURLWithPath: "/var/lib/swtpm-localca"))
    }

    /// A credential sent to a device and not yet answered.
    private struct Pending {
        let id: String
        let secret: Data
        let issuer: String
        let endorsementKeyDigest: String?
        let expires: Date
    }

    /// How long a device has to answer its challenge.
    static let challengeLifetime: TimeInterval = 300

    private let lab: Lab
    private let trust: Trust
    /// The `ekAuthority` of each host attested, read once.
    private let hostAuthorities: [EndorsementAuthority]
    /// Whether an attested host names none, so that the controller's swtpm local CA certifies its vTPMs.
    private let trustsControllersCA: Bool
    private let pending = Mutex<[String: Pending]>([:])

    /// Attests the devices of `hosts` (those a run drives). Reads the hosts' EK authorities once,
    /// so that a lab file naming one that is not a CA's certificates fails as the endpoint
    /// starts, naming the host, instead of at each attestation.
    public init(lab: Lab, trust: Trust, hosts: [LabHost]) throws {
        self.lab = lab
        self.trust = trust
        if case .endorsementAuthority = trust { hostAuthorities = try Self.authorities(of: hosts) } else { hostAuthorities = [] }
        trustsControllersCA = hosts.isEmpty || hosts.contains { $0.ekAuthority == nil }
    }

    /// Reads each host's `ekAuthority` as attestation will: certificates, a root among them.
    /// `pxelab validate` checks a lab file's with it.
    public static func checkAuthorities(of hosts: [LabHost]) throws { _ = try authorities(of: hosts) }

    /// Each host's `ekAuthority`, read.
    private static func authorities(of hosts: [LabHost]) throws -> [EndorsementAuthority] {
        try hosts.compactMap { host in
            guard let url = host.ekAuthority else { return nil }
            do {
                return try EndorsementAuthority(contentsOf: url)
            } catch {
                throw LabError.unreadable(file: url.path, problem: "the ekAuthority of host '\(host.name)': \(error)")
            }
        }
    }

    /// The CAs a real VM's EK certificate may chain to: the hosts' `ekAuthority`s, and swtpm's local
    /// CA in `folder` while a host names none. That one is read each time: swtpm makes it when the
    /// machine's first vTPM starts, which may be after the endpoint did.
    private func authority(controllers folder: URL) throws -> EndorsementAuthority {
        let own = trustsControllersCA ? [try EndorsementAuthority.swtpmLocalCA(directory: folder)] : []
        return EndorsementAuthority(combining: own + hostAuthorities)
    }

    /// The challenge for a device's evidence: a credential only its TPM can activate, once its
    /// EK certificate chains to the authority and its EK is the certified one.
    public func challenge(_ request: AttestationRequest) throws -> AttestationChallenge {
        let model = try model(of: request.device)
        let id = UUID().uuidString.lowercased()
        switch trust {
        case .labFile:
            guard model.tpm == .v2_0 else { throw AttestationRefusal(WindowsError.attestationTimeout, "the device has no TPM 2.0") }
            remember(request.device, Pending(id: id, secret: Data(), issuer: "lab file (virtual TPM 2.0)", endorsementKeyDigest: nil,
                                             expires: expiry()))
            return AttestationChallenge(id: id, credentialBlob: Data(), encryptedSecret: Data())
        case .endorsementAuthority(let folder):
            guard let evidence = request.evidence else { throw AttestationRefusal("the device sent no TPM evidence") }
            guard let certificate = evidence.endorsementCertificate else {
                throw AttestationRefusal("the TPM has no EK certificate (NV index 0x01c00002 is not defined)")
            }
            do {
                let endorsementKey = try authority(controllers: folder).verify(endorsementCertificate: Array(certificate))
                    .matching(TPMPublic(publicArea: Array(evidence.endorsementKey)))
                let attestationKey = try TPMPublic(publicArea: Array(evidence.attestationKey))
                let verifiedKey = try VerifiedAttestationKey(publicArea: attestationKey.publicArea, name: try attestationKey.name())
                var secret = [UInt8](repeating: 0, count: 32)
                var generator = SystemRandomNumberGenerator()
                for index in secret.indices { secret[index] = generator.next() }
                let credential = try CredentialChallenge.make(for: endorsementKey, attestationKeyName: verifiedKey.name, secret: secret)
                let digest: String? = if case .rsa(let modulus, _) = endorsementKey.key {
                    SHA256.hash(modulus).map { String(format: "%02x", $0) }.joined()
                } else { nil }
                remember(request.device, Pending(id: id, secret: Data(secret), issuer: endorsementKey.issuer, endorsementKeyDigest: digest,
                                                 expires: expiry()))
                return AttestationChallenge(id: id, credentialBlob: Data(credential.credentialBlob),
                                            encryptedSecret: Data(credential.encryptedSecret))
            } catch let error as AttestationError {
                throw AttestationRefusal("\(error)")
            } catch let error as TPMError {
                throw AttestationRefusal("the TPM's evidence does not parse: \(error)")
            }
        }
    }

    /// The device's proof: the secret its TPM recovered. Attested when it is the one sealed.
    public func activate(_ proof: AttestationProof) throws -> AttestationResult {
        _ = try model(of: proof.device)
        let now = lab.clock()
        guard let sent = pending.withLock({ $0.removeValue(forKey: proof.device) }), sent.id == proof.id, sent.expires > now else {
            throw AttestationRefusal("no challenge \(proof.id) is waiting for device \(proof.device) (answered, replaced or expired)")
        }
        guard Self.equal(sent.secret, proof.secret) else {
            throw AttestationRefusal("the device did not recover the credential's secret: its TPM does not hold the certified EK")
        }
        return AttestationResult(issuer: sent.issuer, endorsementKeyDigest: sent.endorsementKeyDigest)
    }

    private func model(of device: String) throws -> DeviceModel {
        lab.labFile.model(of: try lab.device(device))
    }

    private func remember(_ device: String, _ challenge: Pending) {
        pending.withLock { $0[device] = challenge }
    }

    private func expiry() -> Date { lab.clock().addingTimeInterval(Self.challengeLifetime) }

    /// Compares in time that does not depend on where the two differ.
    private static func equal(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// A refused attestation: the error code the device shows, and why.
public struct AttestationRefusal: Error, CustomStringConvertible, Sendable {
    public let errorCode: UInt32
    public let description: String

    init(_ errorCode: UInt32, _ description: String) {
        self.errorCode = errorCode
        self.description = description
    }

    /// Windows's "TPM attestation failed".
    init(_ description: String) { self.init(WindowsError.attestationFailed, description) }
}
