import Foundation
import DeviceProtocol
import OOBEAgent
import Synchronization
import TPM2

/// The guest's TPM 2.0 through the kernel's resource manager (`/dev/tpmrm0`), as attestation uses
/// it. The attestation key lives from the evidence to the activation: the resource manager
/// flushes a connection's objects when it closes, so the device stays open in between.
final class GuestTPM: TrustedPlatformModule {
    /// The open device and the key made on it. The mutex hands it from the evidence to the
    /// activation; one attestation uses it at a time.
    private struct Open: @unchecked Sendable {
        let tpm: TPM
        let key: AttestationKey
    }

    private let open = Mutex<Open?>(nil)

    func evidence() throws -> AttestationEvidence {
        let tpm = TPM(transport: try TPMDevice())
        let certificate = try tpm.endorsementCertificate()
        let endorsementKey = try tpm.endorsementKey()
        let key = try tpm.makeAttestationKey()
        let previous = open.withLock { opened in
            defer { opened = Open(tpm: tpm, key: key) }
            return opened
        }
        if let previous { try? previous.tpm.flush(previous.key) }
        return AttestationEvidence(endorsementCertificate: certificate.map { Data($0) },
                                   endorsementKey: Data(endorsementKey.publicArea), attestationKey: Data(key.public.publicArea))
    }

    /// The EK's public key as the hardware hash holds it: the RSA modulus, big-endian.
    func endorsementKeyModulus() throws -> [UInt8] {
        guard case .rsa(let modulus, _) = try TPM(transport: try TPMDevice()).endorsementKey().key else {
            throw TPMError.unsupported("an endorsement key that is not RSA")
        }
        return Array(modulus.drop { $0 == 0 })
    }

    func activate(_ challenge: AttestationChallenge) throws -> Data {
        guard let opened = open.withLock({ opened in defer { opened = nil }; return opened }) else {
            throw TPMNotOpen()
        }
        defer { try? opened.tpm.flush(opened.key) }
        return Data(try opened.tpm.activateCredential(key: opened.key, credentialBlob: Array(challenge.credentialBlob),
                                                      encryptedSecret: Array(challenge.encryptedSecret)))
    }

    /// Activation asked before evidence.
    struct TPMNotOpen: Error, CustomStringConvertible {
        var description: String { "no attestation key: the TPM's evidence was not read first" }
    }
}
