import Synchronization

/// The connections open now, in all and by client address, shared by every connection's guard.
public final class ConnectionCount: Sendable {
    public init() {}

    private struct Open {
        var all = 0
        var byClient: [String: Int] = [:]
    }
    private let open = Mutex(Open())

    /// Counts a connection in, unless a limit is reached: then it says which.
    func admit(_ client: String, limits: ConnectionLimits) -> RefusedConnection? {
        open.withLock { open in
            if open.all >= limits.maxConnections { return .tooManyConnections }
            if open.byClient[client, default: 0] >= limits.maxConnectionsPerClient { return .tooManyFromClient }
            open.all += 1
            open.byClient[client, default: 0] += 1
            return nil
        }
    }

    func release(_ client: String) {
        open.withLock { open in
            open.all -= 1
            if let count = open.byClient[client], count > 1 { open.byClient[client] = count - 1 } else { open.byClient[client] = nil }
        }
    }

    /// Connections open now.
    public var all: Int { open.withLock { $0.all } }
}
