import Foundation
import LabService
import LabStore
import ServiceLifecycle
import TFTP

/// An endpoint that is listening.
public final class RunningServer: Sendable {
    /// The bound port.
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    /// Secure Boot's network path, on the same port (UDP).
    private let tftp: TFTPServer?
    private let live: LiveFleet
    private let store: LabStore

    init(port: Int, group: ServiceGroup, task: Task<Void, any Error>, tftp: TFTPServer?, live: LiveFleet, store: LabStore) {
        self.port = port
        self.group = group
        self.task = task
        self.tftp = tftp
        self.live = live
        self.store = store
    }

    /// Shuts down gracefully (in-flight requests finish, dashboard streams end, boots recorded
    /// in the background are stored) and waits until it has; throws when those boots could not be
    /// stored (the server is stopped either way).
    public func stop() async throws {
        await tftp?.shutdown()
        await live.finishAll()
        await group.triggerGracefulShutdown()
        _ = await task.result
        try await Offload.run { [store] in try store.settle() }
    }
}
