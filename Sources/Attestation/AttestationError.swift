/// Why a device's TPM evidence was refused, or a challenge could not be made.
///
/// ```swift
/// do { _ = try authority.verify(endorsementCertificate: der) }
/// catch AttestationError.certificateDoesNotChain(_, _, let reason, _) { print(reason) }  // "unable to get local issuer certificate"
/// ```
public enum AttestationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file of the authority could not be read, or holds no certificate.
    case unreadable(path: String, reason: String)
    /// An OpenSSL call failed (a certificate that is not DER, a key OpenSSL refuses, ...).
    case openSSL(OpenSSLError)
    /// The EK certificate does not chain to the authority's root: OpenSSL's verification
    /// reason (`X509_verify_cert_error_string`) and the depth it failed at (0 = the EK certificate).
    case certificateDoesNotChain(subject: String, issuer: String, reason: String, depth: Int)
    /// The EK the device read from its TPM is not the key its certificate certifies, or not an EK.
    case endorsementKeyMismatch(String)
    /// An AK public area that does not parse, whose name is not its hash, or whose attributes
    /// do not make it an attestation key.
    case invalidAttestationKey(String)
    /// A challenge that cannot be made as asked (secret size, name form).
    case invalidChallenge(String)
    /// Something this module does not do (an ECC EK's MakeCredential, an EK with another nameAlg).
    case unsupported(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): \(reason)"
        case .openSSL(let error): "\(error)"
        case .certificateDoesNotChain(let subject, let issuer, let reason, let depth):
            "the EK certificate \(subject.isEmpty ? "(no subject)" : subject), issued by \(issuer), does not chain to the EK authority: \(reason) (at depth \(depth))"
        case .endorsementKeyMismatch(let reason): "the TPM's EK is not the certified one: \(reason)"
        case .invalidAttestationKey(let reason): "not an attestation key: \(reason)"
        case .invalidChallenge(let reason): "cannot make the credential: \(reason)"
        case .unsupported(let what): "unsupported: \(what)"
        }
    }
}
