import NIOCore
import Synchronization

/// The server's transfers: what bounds them, and what `shutdown` closes. A place is taken by an
/// admitted RRQ while the provider answers it, then by its transfer until the transfer's socket
/// is closed.
final class Transfers: Sendable {
    enum Admission {
        case admitted
        /// As many transfers as allowed are running.
        case busy
        /// The provider is still answering this TID's RRQ: the client timed out waiting and
        /// asked again, and a second transfer would only compete with the first.
        case repeated
        /// The server is shut down.
        case closed
    }

    private struct State {
        /// The TIDs whose RRQ the provider is answering.
        var asking: Set<SocketAddress> = []
        /// The transfers' sockets. A client may ask again from the same TID once its transfer
        /// started (for its next file, before its last ACK was read).
        var running: [ObjectIdentifier: any Channel] = [:]
        var isOpen = true
    }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { state.withLock { $0.asking.count + $0.running.count } }

    func admit(_ client: SocketAddress) -> Admission {
        state.withLock { state in
            guard state.isOpen else { return .closed }
            guard !state.asking.contains(client) else { return .repeated }
            guard state.asking.count + state.running.count < limit else { return .busy }
            state.asking.insert(client)
            return .admitted
        }
    }

    /// The provider answered `client`: its place goes to the transfer on `channel`, or is free
    /// again when there is none. False when the server was shut down meanwhile.
    @discardableResult
    func answered(_ client: SocketAddress, startingOn channel: (any Channel)?) -> Bool {
        state.withLock { state in
            state.asking.remove(client)
            guard state.isOpen, let channel else { return false }
            state.running[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    /// The transfer's socket is closed (said again harmlessly).
    func ended(_ channel: any Channel) {
        state.withLock { _ = $0.running.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Admits nothing more; returns the sockets of the transfers running, for closing.
    func close() -> [any Channel] {
        state.withLock { state in
            state.isOpen = false
            return Array(state.running.values)
        }
    }
}
