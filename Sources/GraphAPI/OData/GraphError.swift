import Foundation
public import Hummingbird
import HTTPTypes

/// An error in Graph's shape: `{"error":{"code","message","innerError":{"date","request-id",
/// "client-request-id"}}}`, with the `request-id` and `client-request-id` headers. On Intune's
/// routes (`deviceManagement/...`) the message is itself a JSON text in Intune's `_version: 3`
/// form, as the real service sends it and the PowerShell module prints it.
public struct GraphError: Error, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    /// Graph's code: `BadRequest`, `ResourceNotFound`, `InvalidAuthenticationToken`, ...
    public let code: String
    public let message: String
    /// Seconds for `Retry-After` on a 429 or 503 (nil sends none, as Intune sometimes does).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func badRequest(_ message: String) -> GraphError { GraphError(.badRequest, "BadRequest", message) }
    static func notFound(_ message: String) -> GraphError { GraphError(.notFound, "ResourceNotFound", message) }
    static func segment(_ name: String) -> GraphError { .badRequest("Resource not found for the segment '\(name)'.") }

    /// The answer to a request, which may carry the client's `client-request-id`.
    func response(requestID: String, clientRequestID: String?, intune: Bool, url: String, at date: Date) -> Response {
        var text = message
        if intune {
            let phrase = "\(message) - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - "
                + "Activity ID: \(requestID) - Url: \(url)"
            text = GraphJSON.object {
                $0.field("_version", 3)
                $0.field("Message", phrase)
                $0.field("CustomApiErrorPhrase", "")
                $0.nullField("RetryAfter")
                $0.field("ErrorSourceService", "")
                $0.field("HttpHeaders", "{}")
            }.text
        }
        let body = GraphJSON.object { root in
            root.object("error") { error in
                error.field("code", code)
                error.field("message", text)
                error.object("innerError") { inner in
                    inner.field("date", GraphJSON.dateTime(date))
                    inner.field("request-id", requestID)
                    inner.field("client-request-id", clientRequestID ?? requestID)
                }
            }
        }
        var headers: HTTPFields = [.contentType: "application/json", GraphHeaders.requestID: requestID,
                                   GraphHeaders.clientRequestID: clientRequestID ?? requestID]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }
}

/// The headers Graph adds to every answer.
enum GraphHeaders {
    static let requestID = HTTPField.Name("request-id")!
    static let clientRequestID = HTTPField.Name("client-request-id")!
}
