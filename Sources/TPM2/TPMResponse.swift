/// A response as the TPM writes it (Part 1 §18; Part 3 §5), checked against the command it
/// answers: its size, its code (an error becomes ``TPMError/response(command:code:)``), the
/// handles the command returns, and with sessions the parameter size and one authorization per
/// session sent.
///
/// ```swift
/// var response = try TPMResponse(bytes, command: .startAuthSession, handleCount: 1, sessionCount: 0)
/// let session = response.handles[0]
/// let nonceTPM = try response.parameters.readSized()
/// try response.parameters.expectEnd()
/// ```
public struct TPMResponse: Sendable {
    public let command: TPMCommandCode
    public let handles: [TPMHandle]
    /// The parameter area only (a reader that ends where the parameters end).
    public var parameters: TPMReader

    /// Parses `bytes` as the response to `command`, which returns `handleCount` handles and sent
    /// `sessionCount` sessions. Throws ``TPMError/malformed(_:_:)`` for anything short, long or
    /// inconsistent, and ``TPMError/response(command:code:)`` for an error code.
    public init(_ bytes: [UInt8], command: TPMCommandCode, handleCount: Int, sessionCount: Int) throws {
        self.command = command
        let context = "\(command) response"
        var reader = TPMReader(bytes, context: context)
        let tag = try reader.readUInt16()
        let size = try reader.readUInt32()
        guard size == bytes.count else {
            throw TPMError.malformed(context, "its header says \(size) bytes, \(bytes.count) arrived")
        }
        let code = TPMResponseCode(rawValue: try reader.readUInt32())
        guard code == .success else {
            try reader.expectEnd()  // an error response is the header alone
            throw TPMError.response(command: command, code: code)
        }
        guard tag == (sessionCount > 0 ? TPMCommand.sessionsTag : TPMCommand.noSessionsTag) else {
            throw TPMError.malformed(context, "tag 0x\(hex(tag, width: 4)) for a command with \(sessionCount) sessions")
        }
        handles = try (0..<handleCount).map { _ in TPMHandle(try reader.readUInt32()) }
        guard sessionCount > 0 else {
            parameters = TPMReader(try reader.read(count: reader.remaining), context: context)
            return
        }
        let parameterSize = Int(try reader.readUInt32())
        parameters = TPMReader(try reader.read(count: parameterSize, "a parameter area"), context: context)
        // TPMS_AUTH_RESPONSE per session: nonce, attributes, HMAC (empty for the sessions used here).
        for _ in 0..<sessionCount {
            _ = try reader.readSized()
            _ = try reader.readUInt8()
            _ = try reader.readSized()
        }
        try reader.expectEnd()
    }
}
