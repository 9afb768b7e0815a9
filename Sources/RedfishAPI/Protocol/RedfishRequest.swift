import Foundation
import HTTPTypes

/// One Redfish request, parsed: the path below `/redfish/v1` as segments (a trailing slash is the
/// same resource), the method, the body and the headers that matter.
struct RedfishRequest: Sendable {
    let method: HTTPRequest.Method
    /// Segments after `/redfish/v1`, percent-decoded; nil for `/redfish` itself.
    let segments: [String]?
    let headers: HTTPFields
    let body: Data

    /// Nil for a path outside `/redfish`.
    init?(method: HTTPRequest.Method, path: Substring, headers: HTTPFields, body: Data) {
        // Foundation's percent-decoding is costly: only a segment with an escape goes through it.
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map {
            $0.contains("%") ? String($0).removingPercentEncoding ?? String($0) : String($0)
        }
        guard parts.first == "redfish" else { return nil }
        if parts.count == 1 {
            segments = nil
        } else {
            guard parts[1] == "v1" else { return nil }
            segments = Array(parts.dropFirst(2))
        }
        self.method = method
        self.headers = headers
        self.body = body
    }

    /// The body as a JSON object; a body that is not one is Redfish's MalformedJSON.
    func object() throws(RedfishError) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { throw .malformedJSON() }
        return object
    }
}

/// Redfish's answers: JSON with `OData-Version`, `Cache-Control`, and an ETag where the resource
/// has one.
enum RedfishHeaders {
    static let odataVersion = HTTPField.Name("OData-Version")!
    static let authToken = HTTPField.Name("X-Auth-Token")!
    static let link = HTTPField.Name("Link")!
    static let allow = HTTPField.Name("Allow")!
}
