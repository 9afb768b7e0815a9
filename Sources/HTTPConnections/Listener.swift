public import Logging
public import ServiceLifecycle

/// A server listening in a service group of its own. ``start(logger:_:)`` returns once the server
/// is bound, with its port, or once it ended without binding (its task's result says why), so a
/// caller never waits on a server that could not listen.
public struct Listener: Sendable {
    public let group: ServiceGroup
    public let task: Task<Void, any Error>
    /// The bound port; nil when the server ended before binding.
    public let port: Int?

    /// Starts the server `make` builds, handing it the callback to call with its bound port.
    public static func start(logger: Logger, _ make: (@escaping @Sendable (Int) -> Void) throws -> any Service) async rethrows -> Listener {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(services: [try make { continuation.yield($0) }], logger: logger)
        let task = Task {
            defer { continuation.finish() }  // a server that cannot bind ends without a port
            try await group.run()
        }
        return Listener(group: group, task: task, port: await ports.first { _ in true })
    }

    /// Why it ended without a port.
    public var failure: String { get async { String(describing: await task.result) } }

    /// Stops it gracefully (requests in flight finish) and waits until it has.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
