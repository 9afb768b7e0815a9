import Testing
import TPM2

@Suite("TPM 2.0 marshalling")
struct MarshallingTests {
    @Test("a command with sessions carries its authorization area's size before the sessions")
    func commandBytes() {
        #expect(TPMCommand(.readPublic, handles: [.endorsementKey]).bytes
            == [0x80, 0x01, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x01, 0x73, 0x81, 0x01, 0x00, 0x01])
        var parameters = TPMWriter()
        parameters.write(UInt16(1024))
        parameters.write(UInt16(0))
        let read = TPMCommand(.nvRead, handles: [.rsaEndorsementCertificate, .rsaEndorsementCertificate],
                              sessions: [.password], parameters: parameters)
        #expect(read.bytes == [
            0x80, 0x02, 0x00, 0x00, 0x00, 0x23, 0x00, 0x00, 0x01, 0x4E,  // TPM_ST_SESSIONS, 35 bytes, TPM2_NV_Read
            0x01, 0xC0, 0x00, 0x02, 0x01, 0xC0, 0x00, 0x02,  // authHandle, nvIndex
            0x00, 0x00, 0x00, 0x09,  // authorizationSize
            0x40, 0x00, 0x00, 0x09, 0x00, 0x00, 0x01, 0x00, 0x00,  // TPM_RS_PW, no nonce, continueSession, no password
            0x04, 0x00, 0x00, 0x00,  // size, offset
        ])
    }

    @Test("responses that are short, long or inconsistent throw, whatever their bytes")
    func malformedResponses() {
        let cases: [(String, [UInt8], Int, Int)] = [
            ("empty", [], 0, 0),
            ("a header cut short", [0x80, 0x01, 0x00, 0x00], 0, 0),
            ("a size larger than the bytes", [0x80, 0x01, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00], 0, 0),
            ("a size smaller than the bytes", [0x80, 0x01, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00, 0xFF], 0, 0),
            ("a handle cut short", [0x80, 0x01, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00], 1, 0),
            ("no sessions tag for a command with sessions", [0x80, 0x01, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00], 0, 1),
            ("a parameter size past the end", [0x80, 0x02, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF], 0, 1),
            ("a session's authorization missing", [0x80, 0x02, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], 0, 1),
            ("an error code with bytes after it", [0x80, 0x01, 0x00, 0x00, 0x00, 0x0B, 0x00, 0x00, 0x01, 0x01, 0x00], 0, 0),
        ]
        for (label, bytes, handles, sessions) in cases {
            do {
                _ = try TPMResponse(bytes, command: .readPublic, handleCount: handles, sessionCount: sessions)
                Issue.record("\(label): parsed")
            } catch TPMError.malformed(let context, _) {
                #expect(context == "TPM2_ReadPublic response", "\(label)")
            } catch {
                Issue.record("\(label): \(error) is not TPMError.malformed")
            }
        }
    }

    @Test("an error response becomes the command's error with the decoded code")
    func errorResponse() {
        #expect(throws: TPMError.response(command: .readPublic, code: TPMResponseCode(rawValue: 0x18B))) {
            _ = try TPMResponse([0x80, 0x01, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x01, 0x8B], command: .readPublic,
                                handleCount: 0, sessionCount: 0)
        }
    }
}
