public import NIOCore

/// How a transfer went, given to the server's `ended` callback once its socket is closed (for
/// metrics, logs, or a lab that wants to know a device fetched its configuration).
///
/// ```swift
/// let server = try await TFTPServer.start(ended: { summary in
///     if summary.outcome == .completed { fetched(summary.request.path, by: summary.request.client) }
/// }, provider: provider)
/// ```
public struct TFTPTransferSummary: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The client acknowledged the last block.
        case completed
        /// The client stopped acknowledging: every retransmission went unanswered.
        case timedOut
        /// The client sent an ERROR (RFC 2347's 8 when it refused the OACK).
        case clientError(code: UInt16, message: String)
        /// The client sent what has no place in a read transfer (answered with ERROR 4).
        case illegalPacket
        /// The server was shut down.
        case shutDown
    }

    public let request: TFTPRequest
    public let outcome: Outcome
    /// The bytes of the file as sent (after netascii's conversion).
    public let size: Int
    public let blockSize: Int
    public let windowSize: Int
    /// DATA (or OACK) packets sent again after a timeout.
    public let retransmissions: Int
    /// From the first packet sent to the socket's closing.
    public let duration: TimeAmount
}
