import Foundation
import HTTPConnections
import LabService
import LabStore
import ServiceLifecycle
import TFTP

/// An endpoint that is listening.
public final class RunningServer: Sendable {
    /// The bound port.
    public let port: Int
    /// A listener per address listened on.
    private let listeners: [Listener]
    /// Secure Boot's network path, on the same port (UDP), a server per address listened on.
    private let tftp: [TFTPServer]
    private let live: LiveFleet
    private let store: LabStore

    init(port: Int, listeners: [Listener], tftp: [TFTPServer], live: LiveFleet, store: LabStore) {
        self.port = port
        self.listeners = listeners
        self.tftp = tftp
        self.live = live
        self.store = store
    }

    /// Shuts down gracefully (in-flight requests finish, dashboard streams end, boots recorded
    /// in the background are stored) and waits until it has; throws when those boots could not be
    /// stored (the server is stopped either way).
    public func stop() async throws {
        for server in tftp { await server.shutdown() }
        await live.finishAll()
        for listener in listeners { await listener.group.triggerGracefulShutdown() }
        for listener in listeners { _ = await listener.task.result }
        try await Offload.run { [store] in try store.settle() }
    }
}
