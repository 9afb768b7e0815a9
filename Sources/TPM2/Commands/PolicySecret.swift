extension TPM {
    /// `TPM2_PolicySecret(authHandle, policySession)` with the empty password of `authHandle`,
    /// no nonce, cpHash, policyRef or expiration: extends the session's policy digest to the one
    /// the EK's `authPolicy` holds when `authHandle` is `TPM_RH_ENDORSEMENT`.
    func policySecret(_ authHandle: TPMHandle, session: TPMHandle) throws {
        var parameters = TPMWriter()
        parameters.writeSized([])  // nonceTPM
        parameters.writeSized([])  // cpHashA
        parameters.writeSized([])  // policyRef
        parameters.write(UInt32(0))  // expiration
        var response = try execute(TPMCommand(.policySecret, handles: [authHandle, session], sessions: [.password],
                                              parameters: parameters))
        _ = try response.parameters.readSized()  // timeout
        _ = try response.parameters.readUInt16()  // policyTicket: tag,
        _ = try response.parameters.readUInt32()  // hierarchy,
        _ = try response.parameters.readSized()  // digest
        try response.parameters.expectEnd()
    }
}
