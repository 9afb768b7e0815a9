extension TPM {
    /// `TPM2_StartAuthSession` of a policy session: unsalted (`tpmKey` = `TPM_RH_NULL`), unbound
    /// (`bind` = `TPM_RH_NULL`), no parameter encryption (`TPM_ALG_NULL`), SHA-256. Its policy
    /// digest starts empty; the caller must flush it.
    func startPolicySession() throws -> TPMHandle {
        var generator = SystemRandomNumberGenerator()
        var parameters = TPMWriter()
        // nonceCaller: 16 bytes at least, at most the digest size (Part 3 §11.1).
        parameters.writeSized((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        parameters.writeSized([])  // encryptedSalt
        parameters.write(UInt8(0x01))  // TPM_SE_POLICY
        parameters.write(TPMAlgorithm.null)  // symmetric: TPMT_SYM_DEF with TPM_ALG_NULL
        parameters.write(TPMAlgorithm.sha256)  // authHash
        var response = try execute(TPMCommand(.startAuthSession, handles: [.null, .null], parameters: parameters),
                                   handleCount: 1)
        _ = try response.parameters.readSized()  // nonceTPM
        try response.parameters.expectEnd()
        return response.handles[0]
    }
}
