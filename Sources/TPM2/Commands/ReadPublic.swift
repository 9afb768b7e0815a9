extension TPM {
    /// `TPM2_ReadPublic(objectHandle)`: the object's public area, checked against the name the TPM
    /// gives with it; nil when nothing is at the handle (`TPM_RC_HANDLE` on handle 1).
    func readPublic(_ handle: TPMHandle) throws -> TPMPublic? {
        guard var response = try executeUnlessAbsent(TPMCommand(.readPublic, handles: [handle])) else { return nil }
        let object = try TPMPublic.readSized(from: &response.parameters)
        let name = try response.parameters.readSized()
        _ = try response.parameters.readSized()  // qualifiedName
        try response.parameters.expectEnd()
        try confirmName(name, of: object, command: .readPublic)
        return object
    }

    /// The TPM's name for an object must be the one computed from its public area: otherwise the
    /// area was not parsed (or hashed) as the TPM meant it.
    func confirmName(_ name: [UInt8], of object: TPMPublic, command: TPMCommandCode) throws {
        guard try object.name() == name else {
            throw TPMError.malformed("\(command) response", "the TPM's name for the object is not the one its public area hashes to")
        }
    }
}
