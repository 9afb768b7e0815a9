import AsyncHTTPClient
import Foundation
import Synchronization
import NIOCore
import NIOHTTP1
import DeviceProtocol

/// The device's HTTP connection to the endpoint, as a device would make it: plain requests to
/// the address its boot script gave it, with its token, retried with backoff while the endpoint
/// does not answer (or while a network-drop fault keeps the network down).
final class EndpointClient: Sendable {
    let base: String
    private let client: HTTPClient
    private let limiter: RequestLimiter?
    private let state: Mutex<State>
    /// How long to keep retrying before giving up.
    let patience: TimeInterval

    struct State {
        var token: String?
        var networkDownUntil: Date?
    }

    init(base: String, client: HTTPClient = .shared, limiter: RequestLimiter? = nil, patience: TimeInterval = 300) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.client = client
        self.limiter = limiter
        self.state = Mutex(State())
        self.patience = patience
    }

    /// The device token from the boot script; sent with every request after it.
    func authenticate(with token: String) { state.withLock { $0.token = token } }

    /// Simulates the network going away until a moment.
    func dropNetwork(until moment: Date) { state.withLock { $0.networkDownUntil = moment } }

    /// Whether a simulated network drop is still going on.
    var networkIsDown: Bool { state.withLock { $0.networkDownUntil.map { Date() < $0 } ?? false } }

    struct Reply {
        let status: Int
        let body: Data
        let retryAfter: Double?
    }

    /// Sends a request, retrying connection failures and 5xx answers with exponential backoff
    /// (0.05 s doubling to 2 s) until `patience` runs out.
    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> Reply {
        let deadline = Date().addingTimeInterval(patience)
        var delay = 0.05
        while true {
            // Nothing leaves a device whose power was cut.
            try Task.checkCancellation()
            do {
                let reply = try await attempt(method, path, body: body)
                if reply.status < 500 { return reply }
                if Date() > deadline { return reply }
            } catch let error as AgentError where error != .networkDown {
                throw error
            } catch {
                if Date() > deadline { throw AgentError.unreachable("\(method) \(path): \(error)") }
            }
            try await Task.sleep(for: .seconds(delay))
            delay = min(delay * 2, 2)
        }
    }

    /// One try, waiting first for room among the fleet's requests in flight when a limiter is shared.
    private func attempt(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Reply {
        guard let limiter else { return try await exchange(method, path, body: body) }
        return try await limiter.run { try await exchange(method, path, body: body) }
    }

    private func exchange(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Reply {
        let (token, down) = state.withLock { ($0.token, $0.networkDownUntil) }
        if let down, Date() < down { throw AgentError.networkDown }
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), body: Data(bytes.readableBytesView),
                     retryAfter: response.headers.first(name: "Retry-After").flatMap(Double.init))
    }

    /// GET returning text (the boot scripts).
    func text(_ path: String) async throws -> String {
        let reply = try await send(.GET, path)
        guard reply.status == 200 else { throw AgentError.refused(path, reply.status, String(decoding: reply.body, as: UTF8.self)) }
        return String(decoding: reply.body, as: UTF8.self)
    }

    /// A JSON request with a JSON answer.
    func json<Answer: Decodable>(_ method: HTTPMethod, _ path: String, body: (some Encodable)? = Optional<Int>.none,
                                 as type: Answer.Type) async throws -> Answer {
        let data = try body.map { try ProtocolJSON.encoder().encode($0) }
        let reply = try await send(method, path, body: data)
        guard reply.status == 200 else { throw AgentError.refused(path, reply.status, String(decoding: reply.body, as: UTF8.self)) }
        return try ProtocolJSON.decoder().decode(type, from: reply.body)
    }
}

/// Why the device side could not go on.
public enum AgentError: Error, CustomStringConvertible, Equatable {
    case networkDown
    case unreachable(String)
    case refused(String, Int, String)
    case badScript(String)

    public var description: String {
        switch self {
        case .networkDown: "the network is down"
        case .unreachable(let detail): "the endpoint does not answer: \(detail)"
        case .refused(let path, let status, let body): "\(path) answered \(status): \(body)"
        case .badScript(let detail): "the boot script cannot be used: \(detail)"
        }
    }
}
