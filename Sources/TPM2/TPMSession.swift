/// One entry of a command's authorization area (`TPMS_AUTH_COMMAND`, Part 2 §10.13.2): which
/// session authorizes the handle in the same position, with its nonce, attributes and HMAC.
///
/// ```swift
/// TPMSession.password           // TPM_RS_PW with the empty password
/// TPMSession.policy(session)    // a policy session whose policy the TPM checks
/// ```
public struct TPMSession: Sendable, Equatable {
    public let handle: TPMHandle
    public let nonce: [UInt8]
    /// `TPMA_SESSION`: only `continueSession` (bit 0) is set here.
    public let attributes: UInt8
    /// The HMAC, or for `TPM_RS_PW` the password itself.
    public let hmac: [UInt8]

    /// `continueSession`: the session stays loaded after the command (it is flushed explicitly).
    static let continueSession: UInt8 = 0x01

    /// The password session with an empty password: the TPM's default auth for its hierarchies,
    /// the EK certificate's NV index and the keys made here.
    public static let password = TPMSession(handle: .passwordSession, nonce: [], attributes: continueSession, hmac: [])

    /// A policy session that neither `TPM2_PolicyAuthValue` nor `TPM2_PolicyPassword` touched:
    /// the TPM checks only its policy digest, so no HMAC (Part 1 §19.7.1).
    public static func policy(_ handle: TPMHandle) -> TPMSession {
        TPMSession(handle: handle, nonce: [], attributes: continueSession, hmac: [])
    }

    func write(to writer: inout TPMWriter) {
        writer.write(handle)
        writer.writeSized(nonce)
        writer.write(attributes)
        writer.writeSized(hmac)
    }
}
