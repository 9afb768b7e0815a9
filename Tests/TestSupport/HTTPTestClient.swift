import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A real HTTP client for tests against a server on loopback.
public struct HTTPTestClient: Sendable {
    public let base: String

    public init(port: Int, address: String = "127.0.0.1") { base = "http://\(address):\(port)" }

    public struct Reply: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
        /// The body as a JSON object (errors, receipts...).
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        public var jsonArray: [[String: Any]] { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? [] }
        /// `error.code` of an error body.
        public var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    }

    public func request(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [String: String] = [:],
                        token: String? = nil, timeout: Duration = .seconds(30)) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        var fields: [String: String] = [:]
        for (name, value) in response.headers { fields[name.lowercased()] = value }
        return Reply(status: Int(response.status.code), headers: fields, body: Data(bytes.readableBytesView))
    }

    /// `timeout`: for a test that loads the server on purpose (thousands of connections), on a
    /// machine where the whole suite runs beside it.
    public func get(_ path: String, headers: [String: String] = [:], token: String? = nil,
                    timeout: Duration = .seconds(30)) async throws -> Reply {
        try await request(.GET, path, headers: headers, token: token, timeout: timeout)
    }

    public func post(_ path: String, json: String, token: String? = nil) async throws -> Reply {
        try await request(.POST, path, body: Data(json.utf8), headers: ["Content-Type": "application/json"], token: token)
    }
}
