public import Hummingbird
import Foundation
import DeviceProtocol

/// An error answered as JSON with a stable shape:
/// `{"error": {"status": 409, "code": "out-of-order", "message": "...", "field": "events[2].seq"}}`.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    /// A short machine-readable code, such as `not-found` or `bad-token`.
    public let code: String
    public let message: String
    /// The request field the problem is in, when there is one.
    public let field: String?
    /// Extra machine-readable details (for example the sequence number a device must send next).
    public let details: [String: String]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil,
                details: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = ErrorDocument(error: .init(status: status.code, code: code, message: message, field: field,
                                              details: details.isEmpty ? nil : details))
        let data = try JSONEncoder().encode(body)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError { APIError(.badRequest, "bad-request", message, field: field) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not-found", message) }
    static let missingToken = APIError(.unauthorized, "missing-token", "this route needs 'Authorization: Bearer <token>'")
    static let badToken = APIError(.unauthorized, "bad-token", "the bearer token is not valid for this route")
}
