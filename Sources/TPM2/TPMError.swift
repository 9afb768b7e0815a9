/// What went wrong talking to a TPM.
///
/// ```swift
/// do { _ = try tpm.activateCredential(key: ak, credentialBlob: blob, encryptedSecret: secret) }
/// catch TPMError.response(let command, let code) where code.base == .integrity {
///     print("\(command) refused the blob: \(code)")  // TPM2_ActivateCredential refused the blob: TPM_RC_INTEGRITY (0x1df, parameter 1)
/// }
/// ```
public enum TPMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The TPM answered the command with an error code.
    case response(command: TPMCommandCode, code: TPMResponseCode)
    /// Bytes that do not hold what they should (a response, a `TPMT_PUBLIC`): what, and why.
    case malformed(_ context: String, _ reason: String)
    /// The device or socket failed: which one, doing what, and the system's reason.
    case transport(endpoint: String, operation: String, reason: String)
    /// Something this module does not do (an algorithm, a key type).
    case unsupported(String)

    public var description: String {
        switch self {
        case .response(let command, let code): "\(command): \(code)"
        case .malformed(let context, let reason): "malformed \(context): \(reason)"
        case .transport(let endpoint, let operation, let reason): "\(endpoint): \(operation): \(reason)"
        case .unsupported(let what): "unsupported: \(what)"
        }
    }

    /// The response code, when the TPM refused a command.
    public var responseCode: TPMResponseCode? {
        if case .response(_, let code) = self { code } else { nil }
    }
}
