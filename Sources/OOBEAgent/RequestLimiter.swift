import NIOCore
import Synchronization

/// Bounds how many requests a fleet of in-process agents has in flight at once.
///
/// Thousands of virtual devices share one HTTP client whose pool has a few dozen connections.
/// Handed every request at once, the client queues them itself, and its queue and the timeout it
/// schedules per queued request cost time in proportion to their length (at 10,000 devices a
/// tenth of the run). Devices wait here instead, in arrival order, at a constant cost each, and
/// the client only ever sees as many requests as it has connections.
public final class RequestLimiter: Sendable {
    private let state: Mutex<State>

    private struct State: Sendable {
        var available: Int
        /// Waiting requests in arrival order; a cancelled one leaves its id behind, skipped.
        var order = CircularBuffer<Int>()
        var waiting: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextID = 0
    }

    /// At most `limit` requests in flight.
    public init(limit: Int) {
        precondition(limit > 0, "a request limiter needs room for one request")
        state = Mutex(State(available: limit))
    }

    /// Runs `request` once fewer than the limit are in flight.
    func run<T>(_ request: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await request()
    }

    /// Takes a slot, waiting for one in arrival order; a cancelled wait throws without one.
    private func acquire() async throws {
        let id = state.withLock { state -> Int? in
            if state.available > 0 && state.waiting.isEmpty {
                state.available -= 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                // A slot may have come back since the first look.
                let answer = state.withLock { state -> Bool? in
                    if Task.isCancelled { return false }
                    if state.available > 0 && state.waiting.isEmpty {
                        state.available -= 1
                        return true
                    }
                    state.order.append(id)
                    state.waiting[id] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(returning: false)
        }
        guard granted else { throw CancellationError() }
    }

    /// Hands the slot to the longest-waiting request, or returns it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            while let id = state.order.popFirst() {
                if let continuation = state.waiting.removeValue(forKey: id) { return continuation }
            }
            state.available += 1
            return nil
        }
        next?.resume(returning: true)
    }
}
