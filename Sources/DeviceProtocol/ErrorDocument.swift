/// What the endpoint answers when it refuses a request:
/// `{"error": {"status": 409, "code": "out-of-order", "message": "...", "field": "events[2].seq", "details": {...}}}`.
/// A device reads what it needs from `details` (the sequence number to go on from, the error code
/// of a refused enrollment), never from the message.
public struct ErrorDocument: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var status: Int
        /// A short machine-readable code, such as `not-found` or `bad-token`.
        public var code: String
        public var message: String
        /// The request field the problem is in, when there is one.
        public var field: String?
        /// Machine-readable details.
        public var details: [String: String]?

        public init(status: Int, code: String, message: String, field: String? = nil, details: [String: String]? = nil) {
            self.status = status
            self.code = code
            self.message = message
            self.field = field
            self.details = details
        }
    }

    public var error: Detail

    public init(error: Detail) { self.error = error }

    /// The keys of `details` a device reads.
    public enum DetailKey {
        /// The highest sequence number the endpoint holds for the device (an out-of-order batch).
        public static let lastSeq = "lastSeq"
        /// The Windows error code a refused enrollment gives the device.
        public static let errorCode = "errorCode"
    }
}
