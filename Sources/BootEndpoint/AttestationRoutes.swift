import Foundation
import Hummingbird
import DeviceProtocol
import LabService
import LabStore

extension BootEndpoint {
    /// TPM attestation, as self-deploying and pre-provisioning devices secure their hardware: the
    /// TPM's evidence for a challenge, then the proof (``TPMAttestation``). A refusal is a 403
    /// carrying the Windows error code the device shows.
    func addAttestationRoutes(to router: Router<EndpointRequestContext>) {
        router.post(RouterPath(DevicePaths.attest)) { request, _ in
            let asked = try await JSONBody.decode(AttestationRequest.self, from: request, limit: self.options.maxBodyBytes)
            return try await Offload.run {
                try self.authenticate(device: asked.device, request)
                return try JSONBody.response(try Self.refusing { try self.attestation.challenge(asked) })
            }
        }
        router.post(RouterPath(DevicePaths.activate)) { request, _ in
            let proof = try await JSONBody.decode(AttestationProof.self, from: request, limit: self.options.maxBodyBytes)
            return try await Offload.run {
                try self.authenticate(device: proof.device, request)
                return try JSONBody.response(try Self.refusing { try self.attestation.activate(proof) })
            }
        }
    }

    /// An attestation refusal as the device protocol carries it.
    private static func refusing<Answer>(_ body: () throws -> Answer) throws -> Answer {
        do {
            return try body()
        } catch let refusal as AttestationRefusal {
            throw APIError(.forbidden, "attestation-refused", refusal.description,
                           details: [ErrorDocument.DetailKey.errorCode: ErrorCode.text(refusal.errorCode)])
        }
    }
}
