public import NIOCore

/// What the provider answers a ``TFTPRequest`` with: the file, or a refusal the client gets as an
/// ERROR packet with the message.
///
/// ```swift
/// let kernel = ByteBuffer(bytes: try Data(contentsOf: kernelURL))   // read once, kept
/// let provider: @Sendable (TFTPRequest) async -> TFTPAnswer = { request in
///     switch request.path {
///     case "vmlinuz": .file(kernel)                    // shared, never copied per transfer
///     case "secrets": .accessViolation("not served")
///     default: .notFound("\(request.path): no such file")
///     }
/// }
/// ```
public enum TFTPAnswer: Sendable {
    /// The file's bytes (its readable bytes). A kept buffer is shared by every transfer of it.
    case file(ByteBuffer)
    /// ERROR 1, "file not found", with this message.
    case notFound(String)
    /// ERROR 2, "access violation", with this message.
    case accessViolation(String)
}
