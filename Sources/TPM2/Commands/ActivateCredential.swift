extension TPM {
    /// `TPM2_ActivateCredential(activateHandle, keyHandle)`: `activateHandle` (ADMIN role) with
    /// the empty password, `keyHandle` (USER role) with the given session; the credential blob
    /// (a `TPMS_ID_OBJECT`) and the encrypted seed are sent as their `TPM2B`s. Returns the
    /// credential (`certInfo`).
    func activateCredential(activate: TPMHandle, key: TPMHandle, keyAuthorization: TPMSession,
                            credentialBlob: [UInt8], encryptedSecret: [UInt8]) throws -> [UInt8] {
        guard credentialBlob.count <= Int(UInt16.max), encryptedSecret.count <= Int(UInt16.max) else {
            throw TPMError.malformed("credential", "a credential blob or secret longer than a TPM2B holds")
        }
        var parameters = TPMWriter()
        parameters.writeSized(credentialBlob)  // TPM2B_ID_OBJECT
        parameters.writeSized(encryptedSecret)  // TPM2B_ENCRYPTED_SECRET
        var response = try execute(TPMCommand(.activateCredential, handles: [activate, key],
                                              sessions: [.password, keyAuthorization], parameters: parameters))
        let certInfo = try response.parameters.readSized()
        try response.parameters.expectEnd()
        return certInfo
    }
}
