import Foundation
import Libvirt
import LabController
import LabStore
import Logging
import Synchronization

/// A run's connection to one libvirt host, kept open across the daemon going away.
///
/// When libvirtd restarts or the link to it drops, libvirt closes the connection (end of file at
/// once; a silent host after its unanswered keepalives, 20 s). The link then opens a new one,
/// retrying with backoff (0.1 s doubling to 5 s) until it succeeds or the link is closed; an
/// operation that failed because the connection was lost runs again on the new one, and
/// lifecycle-event streams carry on from the new connection (reporting a domain that stopped
/// while nobody was listening). QEMU guests keep running while libvirtd is away, so the devices
/// carry on too, when it is back within ``grace``: an operation, or a device's run following its
/// domain, waits that long for the new connection and then fails naming the host, so a lost host
/// holds up nothing else. The embedded test driver never closes.
final class HostLink: Sendable {
    let uri: String
    /// How long an operation waits for a lost connection to come back before it fails.
    let grace: Duration
    /// Power states read through the link, kept while its lifecycle events say nothing changed.
    let powerStates = KeptPowerStates()
    private let state: Mutex<State>
    private let logger = Logger(label: "pxelab.host")

    private struct State: Sendable {
        var connection: Connection
        /// Counts reopened connections.
        var generation = 0
        var reopening: Task<Connection, any Error>?
        /// Why the current connection went away, and when (nil while it is open).
        var lost: (reason: String, at: ContinuousClock.Instant)?
        /// Set by ``close()``: nothing is reopened any more.
        var closed = false
        /// What the last attempt to reconnect met.
        var lastAttempt: String?
        /// Waiting for the connection of a generation to close, by waiter.
        var closeWaiters: [Int: (generation: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextWaiter = 0
        /// Follows every domain's lifecycle events for ``powerStates``.
        var powerFollower: Task<Void, Never>?
    }

    init(uri: String, connection: Connection, grace: Duration = .seconds(10)) {
        self.uri = uri
        self.grace = grace
        self.state = Mutex(State(connection: connection))
        watch(connection, generation: 0)
    }

    /// The connection in use now.
    var connection: Connection { state.withLock { $0.connection } }

    /// Runs blocking libvirt work (as ``Connection/perform(_:)``), once more on a new connection
    /// if the daemon went away under it.
    func perform<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await onLiveConnection { try await $0.perform(work) }.value
    }

    /// Runs `body` on the current connection, and once more on a new one if it failed because
    /// the connection had gone away; returns its value and the generation of the connection used.
    private func onLiveConnection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> (value: T, generation: Int) {
        let (connection, generation) = state.withLock { ($0.connection, $0.generation) }
        do {
            return (try await body(connection), generation)
        } catch is LibvirtError where !connection.isAlive {
            lost("an operation found it closed", generation: generation)
            let next = try await reopen(after: generation)
            let nextGeneration = state.withLock { $0.generation }
            return (try await body(next), nextGeneration)
        }
    }

    /// Stops reopening the connection and following power states (the run ends): nothing waits
    /// for a lost host any more.
    func close() async {
        state.withLock { state in
            state.closed = true
            state.reopening?.cancel()
        }
        await stopFollowingPowerStates()
    }

    /// A domain's lifecycle events, from whichever connection is current. Subscribed before it
    /// returns, so nothing that happens after the call is missed; after a reconnection a domain
    /// found stopped is reported as stopped (it may have stopped while nobody listened).
    /// The stream ends with an error when the daemon does not come back or the domain cannot be
    /// followed on the new connection.
    func lifecycleEvents(of name: String) async throws -> AsyncThrowingStream<DomainLifecycleEvent.Kind, any Error> {
        let (subscribed, first) = try await onLiveConnection { try await self.subscribe(to: name, on: $0) }
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
                                 resumed: { _ in powerStates.following(true) },
                                 waitForever: true)
            } catch {
                logger.warning("no lifecycle events from \(uri) any more (\(error)): every power state is read from libvirt")
            }
            powerStates.following(false)
        }
        state.withLock { $0.powerFollower = task }
    }

    /// Stops following lifecycle events (the run ends); nothing is kept any more.
    private func stopFollowingPowerStates() async {
        guard let task = state.withLock({ state in defer { state.powerFollower = nil }; return state.powerFollower }) else { return }
        task.cancel()
        await task.value
        powerStates.following(false)
    }

    /// Delivers lifecycle events from `events` (subscribed on the connection of `generation`)
    /// until that connection is replaced, then from a subscription on the new one, until the task
    /// is cancelled. `interrupted` is called when a connection went away, `resumed` once events
    /// come from the new one. Throws when the daemon is not back within ``grace`` (unless told to
    /// `waitForever`, until the link is closed).
    private func follow(_ events: AsyncStream<DomainLifecycleEvent>, from generation: Int,
                        subscribe: @escaping @Sendable (Connection) async throws -> AsyncStream<DomainLifecycleEvent>,
                        deliver: @escaping @Sendable (DomainLifecycleEvent) -> Void,
                        interrupted: @escaping @Sendable () -> Void = {},
                        resumed: @escaping @Sendable (Connection) async throws -> Void,
                        waitForever: Bool = false) async throws {
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
            var reopened: Connection?
            while reopened == nil {
                do {
                    reopened = try await reopen(after: generation)
                } catch let gone as HostLost where waitForever && !Task.isCancelled && !gone.linkClosed {
                    continue  // still away: wait on
                }
            }
            let next = reopened!
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
                lost("\(reason)", generation: generation)
                // Reconnecting starts now; whoever waits for the new connection waits for it.
                Task { _ = try? await self.reopen(after: generation) }
            }
        } catch {
            logger.warning("libvirt does not say when the connection to \(uri) closes (\(error)): it is reopened when an operation finds it gone")
        }
    }

    /// Returns once the connection of `generation` has gone away or been replaced, or the task
    /// is cancelled.
    private func closed(_ generation: Int) async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.generation > generation || state.lost != nil || Task.isCancelled { return true }
                    state.closeWaiters[id] = (generation, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.closeWaiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    /// Notes that the connection of `generation` went away, and why (the first reason given is kept).
    private func lost(_ reason: String, generation: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.generation == generation && state.lost == nil else { return [] }
            state.lost = (reason, .now)
            defer { state.closeWaiters = [:] }
            return state.closeWaiters.values.map(\.continuation)
        }
        waiters.forEach { $0.resume() }
    }

    /// The connection after `generation`'s: the current one if it was already replaced, else a
    /// new one, opened by one reconnecting task shared by every caller that keeps trying with
    /// backoff until it succeeds or the link is closed. A caller waits for it up to ``grace`` and
    /// then fails with ``HostLost`` (the task goes on: a later operation finds the host back).
    private func reopen(after generation: Int) async throws -> Connection {
        let task = try state.withLock { state throws(HostLost) -> Task<Connection, any Error>? in
            if state.generation > generation { return nil }
            if state.closed { throw HostLost(uri: uri, reason: state.lost?.reason, waited: .zero, last: nil, linkClosed: true) }
            if let reopening = state.reopening { return reopening }
            let uri = uri
            let reopening = Task.detached { () throws -> Connection in
                var delay = Duration.milliseconds(100)
                while true {
                    do {
                        // Off the cooperative pool: a silent host takes the reachability check's
                        // 10 s to fail, which would hold one of its few threads each attempt.
                        let connection = try await Offload.run { try HostReachability.connect(uri: uri) }
                        if connection.isAlive { return connection }
                    } catch {
                        // Tried again after the delay; a caller that gives up says what the last attempt met.
                        self.state.withLock { $0.lastAttempt = "\(error)" }
                    }
                    try await Task.sleep(for: delay)  // ends with the link (cancelled)
                    delay = min(delay * 2, .seconds(5))
                }
            }
            state.reopening = reopening
            return reopening
        }
        guard let task else { return connection }
        let started = ContinuousClock.now
        let result = await Self.result(of: task, before: started + grace)
        guard let result else {
            let (reason, last) = state.withLock { ($0.lost?.reason, $0.lastAttempt) }
            throw HostLost(uri: uri, reason: reason, waited: grace, last: last, linkClosed: false)
        }
        do {
            let connection = try result.get()
            // The first caller back installs the new connection and wakes the streams.
            let (waiters, installed) = state.withLock { state -> ([CheckedContinuation<Void, Never>], Int?) in
                guard state.reopening != nil else { return ([], nil) }
                state.reopening = nil
                state.connection = connection
                state.generation += 1
                state.lost = nil
                state.lastAttempt = nil
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
            // Cancelled: the link was closed.
            state.withLock { $0.reopening = nil }
            throw HostLost(uri: uri, reason: state.withLock { $0.lost?.reason }, waited: ContinuousClock.now - started, last: nil,
                           linkClosed: true)
        }
    }

    /// A task's result, or nil when `deadline` comes first (the task goes on).
    private static func result<T: Sendable>(of task: Task<T, any Error>, before deadline: ContinuousClock.Instant) async
        -> Result<T, any Error>? {
        await withCheckedContinuation { continuation in
            let waiting = ResumedOnce(continuation)
            Task { waiting.resume(returning: await task.result) }
            Task {
                try? await Task.sleep(until: deadline)
                waiting.resume(returning: nil)
            }
        }
    }

    /// A continuation the first of several resumes.
    private final class ResumedOnce<T: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<T, Never>?>
        init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = Mutex(continuation) }
        func resume(returning value: T) { continuation.withLock { $0.take() }?.resume(returning: value) }
    }
}

/// A libvirt host whose connection went away and did not come back within the link's grace.
struct HostLost: Error, CustomStringConvertible {
    let uri: String
    /// Why its connection closed (libvirt's close reason), if known.
    let reason: String?
    let waited: Duration
    /// What the last attempt to reconnect met.
    let last: String?
    /// The link was closed while waiting (the run ends).
    let linkClosed: Bool

    var description: String {
        if linkClosed { return "the libvirt connection to \(uri) is closed" }
        return "the libvirt host \(uri) is gone (its connection closed: \(reason ?? "unknown reason")) and was not back within "
            + "\(waited.components.seconds) s" + (last.map { " (last attempt: \($0))" } ?? "")
    }
}
