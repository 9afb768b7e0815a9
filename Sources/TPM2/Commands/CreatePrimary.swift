extension TPM {
    /// `TPM2_CreatePrimary` under `hierarchy` (authorized with its empty password) from a
    /// `TPMT_PUBLIC` template, with no sensitive data, outside info or PCRs: the same template
    /// gives the same key for as long as the hierarchy's seed stays. Returns the transient handle,
    /// the public area and its name (confirmed against the TPM's).
    func createPrimary(in hierarchy: TPMHandle, template: [UInt8]) throws -> (handle: TPMHandle, public: TPMPublic, name: [UInt8]) {
        var parameters = TPMWriter()
        parameters.writeSized { sensitive in  // TPM2B_SENSITIVE_CREATE: userAuth and data, both empty
            sensitive.writeSized([])
            sensitive.writeSized([])
        }
        parameters.writeSized(template)  // TPM2B_PUBLIC
        parameters.writeSized([])  // outsideInfo
        parameters.write(UInt32(0))  // creationPCR: TPML_PCR_SELECTION with no banks
        var response = try execute(TPMCommand(.createPrimary, handles: [hierarchy], sessions: [.password], parameters: parameters),
                                   handleCount: 1)
        let handle = response.handles[0]
        let object = try TPMPublic.readSized(from: &response.parameters)
        _ = try response.parameters.readSized()  // creationData
        _ = try response.parameters.readSized()  // creationHash
        _ = try response.parameters.readUInt16()  // creationTicket: tag,
        _ = try response.parameters.readUInt32()  // hierarchy,
        _ = try response.parameters.readSized()  // digest
        let name = try response.parameters.readSized()
        try response.parameters.expectEnd()
        do {
            try confirmName(name, of: object, command: .createPrimary)
        } catch {
            try? flushContext(handle)  // the key is of no use; the name mismatch is the error
            throw error
        }
        return (handle, object, name)
    }
}
