extension TPM {
    /// `TPM2_FlushContext(flushHandle)`: unloads a transient object or a session. The handle is a
    /// parameter here, not in the handle area (Part 3 §28.4).
    func flushContext(_ handle: TPMHandle) throws {
        var parameters = TPMWriter()
        parameters.write(handle)
        let response = try execute(TPMCommand(.flushContext, parameters: parameters))
        try response.parameters.expectEnd()
    }
}
