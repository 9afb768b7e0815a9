extension TPM {
    /// `TPM2_Startup(TPM_SU_CLEAR)`. A TPM already started (by firmware, the kernel, or swtpm's
    /// `startup-clear` flag) answers `TPM_RC_INITIALIZE`, which is no failure here.
    public func startup() throws {
        var parameters = TPMWriter()
        parameters.write(UInt16(0x0000))  // TPM_SU_CLEAR
        do {
            let response = try execute(TPMCommand(.startup, parameters: parameters))
            try response.parameters.expectEnd()
        } catch TPMError.response(_, let code) where code == .initialize {
            return
        }
    }
}
