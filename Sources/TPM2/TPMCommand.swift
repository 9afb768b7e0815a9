/// A command as the TPM reads it (Part 1 §18; Part 3 §5): a header (tag, size, code), the
/// handle area, the authorization area when sessions authorize a handle (its size first), then
/// the parameters.
///
/// ```swift
/// let command = TPMCommand(.readPublic, handles: [.endorsementKey])
/// command.bytes   // 80 01 00 00 00 0E 00 00 01 73 81 01 00 01
/// ```
public struct TPMCommand: Sendable {
    public let code: TPMCommandCode
    public var handles: [TPMHandle]
    /// One per handle that needs authorization, in handle order.
    public var sessions: [TPMSession]
    public var parameters: TPMWriter

    /// `TPM_ST_NO_SESSIONS` and `TPM_ST_SESSIONS`.
    static let noSessionsTag: UInt16 = 0x8001
    static let sessionsTag: UInt16 = 0x8002

    public init(_ code: TPMCommandCode, handles: [TPMHandle] = [], sessions: [TPMSession] = [], parameters: TPMWriter = TPMWriter()) {
        self.code = code
        self.handles = handles
        self.sessions = sessions
        self.parameters = parameters
    }

    /// The marshalled command.
    public var bytes: [UInt8] {
        var body = TPMWriter()
        handles.forEach { body.write($0) }
        if !sessions.isEmpty {
            var area = TPMWriter()
            sessions.forEach { $0.write(to: &area) }
            body.write(UInt32(area.bytes.count))
            body.write(raw: area.bytes)
        }
        body.write(raw: parameters.bytes)
        var command = TPMWriter()
        command.write(sessions.isEmpty ? Self.noSessionsTag : Self.sessionsTag)
        command.write(UInt32(10 + body.bytes.count))
        command.write(code.rawValue)
        command.write(raw: body.bytes)
        return command.bytes
    }
}
