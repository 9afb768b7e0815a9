import Foundation
import Libvirt
import LabController
import Logging
import Synchronization

/// A run's libvirt connection, kept open across the daemon going away.
///
/// When libvirtd restarts or the link to it drops, libvirt closes the connection (end of file,
/// or unanswered keepalives). The link then opens a new one, retrying with backoff (0.1 s
/// doubling to 5 s, for up to ``patience``); an operation that failed because the connection was
/// lost runs again on the new one, and lifecycle-event streams carry on from the new connection
/// (reporting a domain that stopped while nobody was listening). QEMU guests keep running while
/// libvirtd is away, so the devices carry on too. The embedded test driver never closes.
final class HostLink: Sendable {
    let uri: String
    /// How long to keep trying to reopen before operations fail.
    let patience: Duration
    /// Power states read through the link, kept while its lifecycle events say nothing changed.
    let powerStates = KeptPowerStates()
    private let state: Mutex<State>
    private let logger = Logger(label: "pxelab.host")

    private struct State: Sendable {
        var connection: Connection
        /// Counts reopened connections.
        var generation = 0
        var reopening: Task<Connection, any Error>?
        /// Waiting for the connection of a generation to close, by waiter.
        var closeWaiters: [Int: (generation: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextWaiter = 0
        /// Follows every domain's lifecycle events for ``powerStates``.
        var powerFollower: Task<Void, Never>?
    }

    init(connection: Connection, patience: Duration = .seconds(120)) {
        self.uri = connection.uri
        self.patience = patience
        self.state = Mutex(State(connection: connection))
        watch(connection, generation: 0)
    }

    /// The connection in use now.
    var connection: Connection { state.withLock { $0.connection } }

    /// Runs blocking libvirt work (as ``Connection/perform(_:)``), once more on a new connection
    /// if the daemon went away under it.
    func perform<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let (connection, generation) = state.withLock { ($0.connection, $0.generation) }
        do {
            return try await connection.perform(work)
        } catch is LibvirtError where !connection.isAlive {
            return try await reopen(after: generation).perform(work)
        }
    }

    /// A domain's lifecycle events, from whichever connection is current. Subscribed before it
    /// returns, so nothing that happens after the call is missed; after a reconnection a domain
    /// found stopped is reported as stopped (it may have stopped while nobody listened).
    /// The stream ends with an error when the daemon does not come back or the domain cannot be
    /// followed on the new connection.
    func lifecycleEvents(of name: String) async throws -> AsyncThrowingStream<DomainLifecycleEvent.Kind, any Error> {
        let (connection, first) = state.withLock { ($0.connection, $0.generation) }
        let subscribed = try await subscribe(to: name, on: connection)
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: DomainLifecycleEvent.Kind.self)
        let task = Task {
            do {
                try await follow(subscribed, from: first, subscribe: { try await self.subscribe(to: name, on: $0) },
                                 deliver: { continuation.yield($0.kind) },
                                 resumed: { next in
                                     if try await !next.perform({ try $0.domain(named: name).isActive() }) {
                                         continuation.yield(.stopped(.failed))
                                     }
                                 })
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Follows every domain's lifecycle events, from whichever connection is current, so that
    /// ``powerStates`` can keep what libvirt answered (subscribed before it returns). Without
    /// events (libvirt refused them), nothing is kept and every read asks libvirt.
    func followPowerStates() async {
        let (connection, first) = state.withLock { ($0.connection, $0.generation) }
        let subscribed: AsyncStream<DomainLifecycleEvent>
        do {
            subscribed = try await connection.perform { try $0.lifecycleEvents() }
        } catch {
            logger.warning("no lifecycle events from \(uri) (\(error)): every power state is read from libvirt")
            return
        }
        let powerStates = powerStates
        powerStates.following(true)
        let task = Task {
            do {
                try await follow(subscribed, from: first, subscribe: { connection in try await connection.perform { try $0.lifecycleEvents() } },
                                 deliver: { powerStates.changed($0.domainName) },
                                 // Nothing is kept until events come again: changes in between go unheard.
                                 interrupted: { powerStates.following(false) },
                                 resumed: { _ in powerStates.following(true) })
            } catch {
                logger.warning("no lifecycle events from \(uri) any more (\(error)): every power state is read from libvirt")
            }
            powerStates.following(false)
        }
        state.withLock { $0.powerFollower = task }
    }

    /// Stops following lifecycle events (the run ends); nothing is kept any more.
    func stopFollowingPowerStates() async {
        guard let task = state.withLock({ state in defer { state.powerFollower = nil }; return state.powerFollower }) else { return }
        task.cancel()
        await task.value
        powerStates.following(false)
    }

    /// Delivers lifecycle events from `events` (subscribed on the connection of `generation`)
    /// until that connection is replaced, then from a subscription on the new one, until the task
    /// is cancelled. `interrupted` is called when a connection went away, `resumed` once events
    /// come from the new one. Throws when the daemon does not come back.
    private func follow(_ events: AsyncStream<DomainLifecycleEvent>, from generation: Int,
                        subscribe: @escaping @Sendable (Connection) async throws -> AsyncStream<DomainLifecycleEvent>,
                        deliver: @escaping @Sendable (DomainLifecycleEvent) -> Void,
                        interrupted: @escaping @Sendable () -> Void = {},
                        resumed: @escaping @Sendable (Connection) async throws -> Void) async throws {
        var events = events
        var generation = generation
        while !Task.isCancelled {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [events] in for await event in events { deliver(event) } }
                group.addTask { [generation] in await self.closed(generation) }
                await group.next()
                group.cancelAll()
            }
            guard !Task.isCancelled else { return }
            interrupted()
            let next = try await reopen(after: generation)
            generation = state.withLock { $0.generation }
            events = try await subscribe(next)
            try await resumed(next)
        }
    }

    private func subscribe(to name: String, on connection: Connection) async throws -> AsyncStream<DomainLifecycleEvent> {
        try await connection.perform { connection in try connection.lifecycleEvents(for: try connection.domain(named: name)) }
    }

    // MARK: Reopening

    /// Registers the close callback and keepalive on a connection (remote drivers only).
    private func watch(_ connection: Connection, generation: Int) {
        guard !uri.hasPrefix("test:") else { return }
        do {
            try connection.setKeepAlive(interval: 5, count: 3)
        } catch {
            logger.warning("no keepalive on the libvirt connection to \(uri) (\(error)): a daemon that hangs goes unnoticed")
        }
        do {
            try connection.onClose { [weak self] reason in
                guard let self else { return }
                logger.warning("libvirt connection to \(uri) closed: \(reason); reconnecting")
                // Whoever waits for the new connection gets this attempt's error, if it fails.
                Task { _ = try? await self.reopen(after: generation) }
            }
        } catch {
            logger.warning("libvirt does not say when the connection to \(uri) closes (\(error)): it is reopened when an operation finds it gone")
        }
    }

    /// Returns once the connection of `generation` has been replaced, or the task is cancelled.
    private func closed(_ generation: Int) async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.generation > generation || Task.isCancelled { return true }
                    state.closeWaiters[id] = (generation, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.closeWaiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    /// The connection after `generation`'s: the current one if it was already replaced, else a
    /// new one opened with backoff (one attempt in flight, shared by every caller).
    private func reopen(after generation: Int) async throws -> Connection {
        let task = state.withLock { state -> Task<Connection, any Error>? in
            if state.generation > generation { return nil }
            if let reopening = state.reopening { return reopening }
            let uri = uri, patience = patience
            let reopening = Task.detached { () throws -> Connection in
                let deadline = ContinuousClock.now + patience
                var delay = Duration.milliseconds(100)
                var last = "no attempt"
                while true {
                    do {
                        try HostReachability.check(uri: uri)  // a silent host fails in seconds, not minutes
                        let connection = try Connection(uri: uri)
                        if connection.isAlive { return connection }
                        last = "the connection closed at once"
                    } catch {
                        last = "\(error)"  // tried again until the deadline
                    }
                    guard ContinuousClock.now + delay < deadline else {
                        // Gave up: the caller's operation fails with this.
                        throw RunError("the libvirt daemon behind \(uri) did not come back within \(patience) (last attempt: \(last))")
                    }
                    try await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(5))
                }
            }
            state.reopening = reopening
            return reopening
        }
        guard let task else { return connection }
        do {
            let connection = try await task.value
            // The first caller back installs the new connection and wakes the streams.
            let (waiters, installed) = state.withLock { state -> ([CheckedContinuation<Void, Never>], Int?) in
                guard state.reopening != nil else { return ([], nil) }
                state.reopening = nil
                state.connection = connection
                state.generation += 1
                let ended = state.closeWaiters.filter { $0.value.generation < state.generation }
                ended.keys.forEach { state.closeWaiters[$0] = nil }
                return (ended.values.map(\.continuation), state.generation)
            }
            if let installed {
                logger.notice("libvirt connection to \(uri) open again (reconnection \(installed))")
                watch(connection, generation: installed)
            }
            waiters.forEach { $0.resume() }
            return state.withLock { $0.connection }
        } catch {
            state.withLock { $0.reopening = nil }
            throw error
        }
    }
}
