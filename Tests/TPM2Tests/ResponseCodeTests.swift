import Testing
import TPM2

@Suite("TPM_RC decoding")
struct ResponseCodeTests {
    @Test("a format-1 code names its error and the parameter, handle or session it is about")
    func formatOne() {
        let integrity = TPMResponseCode(rawValue: 0x1DF)
        #expect(integrity.base == .integrity)
        #expect(integrity.parameterNumber == 1)
        #expect("\(integrity)" == "TPM_RC_INTEGRITY (0x1df, parameter 1)")

        let handle = TPMResponseCode(rawValue: 0x18B)
        #expect(handle.base == .handle && handle.handleNumber == 1 && handle.parameterNumber == nil)
        #expect("\(handle)" == "TPM_RC_HANDLE (0x18b, handle 1)")

        let badAuth = TPMResponseCode(rawValue: 0x9A2)
        #expect(badAuth.base == .badAuth && badAuth.sessionNumber == 1)
        #expect("\(badAuth)" == "TPM_RC_BAD_AUTH (0x9a2, session 1)")
    }

    @Test("a format-0 code is an error or a warning without a position")
    func formatZero() {
        #expect("\(TPMResponseCode.initialize)" == "TPM_RC_INITIALIZE (0x100)")
        #expect("\(TPMResponseCode(rawValue: 0x902))" == "TPM_RC_OBJECT_MEMORY (0x902)")
        #expect("\(TPMResponseCode(rawValue: 0x922))" == "TPM_RC_RETRY (0x922)")
        #expect(TPMResponseCode(rawValue: 0x149).base == .nvAuthorization)
        #expect(TPMResponseCode(rawValue: 0x0A).name == "TPM 1.2 response code 0xa")
        #expect(TPMResponseCode(rawValue: 0x17F).name == "TPM_RC_VER1 + 0x7f")
    }

    @Test("an error names the command that failed")
    func errorNamesTheCommand() {
        let error = TPMError.response(command: .activateCredential, code: TPMResponseCode(rawValue: 0x1DF))
        #expect("\(error)" == "TPM2_ActivateCredential: TPM_RC_INTEGRITY (0x1df, parameter 1)")
    }
}
