import Synchronization

/// Runs the service's writes one at a time, each from reading the resource (its ETag checked
/// against `If-Match`) to its change: two PATCHes carrying the same ETag cannot both pass.
/// Writes are rare next to reads, which never wait here.
final class OneWriteAtATime: Sendable {
    private struct State {
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    func run<Result>(_ write: () async throws -> Result) async throws -> Result {
        await enter()
        defer { leave() }
        return try await write()
    }

    private func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let proceed = state.withLock { state in
                if state.busy {
                    state.waiting.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if proceed { continuation.resume() }
        }
    }

    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
