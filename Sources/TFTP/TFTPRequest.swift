public import NIOCore

/// A read request (RRQ) the server accepted, as the provider sees it.
///
/// ```swift
/// let server = try await TFTPServer.start(port: 6969) { request in
///     guard request.path.hasPrefix("grub/serial/") else { return .notFound("no such file") }
///     return .file(ByteBuffer(string: "set timeout=0\n"))
/// }
/// ```
public struct TFTPRequest: Sendable {
    /// The filename as the client sent it.
    public let filename: String
    /// The filename as a relative path: `/` and `\` separate segments, empty and `.` segments are
    /// dropped (so is a leading `/`); never contains `..`.
    public let path: String
    public let mode: TFTPMode
    /// The client's address and port (its TID).
    public let client: SocketAddress
    /// RFC 2347 options as the client sent them: names lowercased, values unchanged. The server
    /// negotiates `blksize`, `tsize`, `timeout` and `windowsize` itself.
    public let options: [String: String]

    public init(filename: String, path: String, mode: TFTPMode, client: SocketAddress, options: [String: String] = [:]) {
        self.filename = filename
        self.path = path
        self.mode = mode
        self.client = client
        self.options = options
    }
}

/// RFC 1350's transfer modes a server reads in (`mail` is refused).
public enum TFTPMode: String, Sendable {
    /// The bytes unchanged.
    case octet
    /// Lines as CR LF, a bare CR as CR NUL (RFC 764): the server converts the provider's bytes.
    case netascii
}
