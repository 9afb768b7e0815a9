import AsyncHTTPClient
import Foundation
import NIOCore
public import NIOHTTP1
import NIOSSL

/// A Redfish client over HTTPS that trusts the lab's CA, as sushy with `verify=<ca>` does. It
/// sends through AsyncHTTPClient's shared client with the CA on each request, so there is no
/// client of its own to shut down (a test that throws early then fails instead of crashing).
public struct RedfishClient: Sendable {
    public let base: String
    let tls: TLSConfiguration

    public init(url: String, authority: URL) throws {
        base = url
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(authority.path)
        self.tls = tls
    }

    public struct Reply: Sendable {
        public let status: Int
        public let headers: [String: String]
        nonisolated(unsafe) public let json: [String: Any]
        /// The body as text (`$metadata`, a schema file).
        public let text: String
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
        public var messageID: String? {
            (((json["error"] as? [String: Any])?["@Message.ExtendedInfo"] as? [[String: Any]])?.first?["MessageId"] as? String)
        }
    }

    /// A task's end, as a client finds it: its monitor (the `Location` of an action's 202) polled
    /// every `interval` until it answers something else; that answer. Throws when the reply has no
    /// monitor, or ``DeadlineExceeded`` when the task has not ended within `seconds`.
    public func taskEnd(of accepted: Reply, as credentials: Credentials, every interval: Duration = .milliseconds(20),
                        within seconds: Double = 10) async throws -> Reply {
        guard let monitor = accepted.header("Location") else { throw NoTaskMonitor(status: accepted.status) }
        return try await withDeadline(seconds: seconds) {
            while true {
                let state = try await request(.GET, monitor, as: credentials)
                if state.status != 202 { return state }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// An action's reply without the `Location` of a task monitor.
    public struct NoTaskMonitor: Error, CustomStringConvertible {
        public let status: Int
        public var description: String { "the reply (\(status)) names no task monitor" }
    }

    public enum Credentials: Sendable {
        case none, basic(String, String), token(String)
    }

    public func request(_ method: HTTPMethod, _ path: String, json: Any? = nil, headers: [String: String] = [:],
                 as credentials: Credentials) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.tlsConfiguration = tls
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        switch credentials {
        case .none: break
        case .basic(let user, let password):
            request.headers.add(name: "Authorization", value: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
        case .token(let token): request.headers.add(name: "X-Auth-Token", value: token)
        }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        return Reply(status: Int(response.status.code), headers: headers, json: object, text: String(buffer: body))
    }
}

