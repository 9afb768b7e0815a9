import Dispatch
import Foundation
import Synchronization

/// Ctrl-C (SIGINT) or SIGTERM during a run: the first stops the work cleanly (the run powers
/// the lab's VMs off and stops the endpoint before pxelab exits); a second exits at once.
///
/// The signal sources are installed once per process (libdispatch on Linux does not deliver a
/// signal to a source made after another one for the same signal was cancelled); each piece of
/// cancellable work registers with them while it runs.
enum Interruption {
    /// Runs work that a signal cancels; `stopping` says what stopping it does.
    static func cancellable<T: Sendable>(stopping: String = "powering the lab's devices off",
                                         _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        _ = sources
        let task = Task { try await work() }
        let token = state.withLock { state in
            state.next += 1
            state.running[state.next] = (cancel: { @Sendable in task.cancel() }, stopping: stopping)
            return state.next
        }
        defer { _ = state.withLock { $0.running.removeValue(forKey: token) } }
        return try await task.value
    }

    /// Returns when the user presses Ctrl-C (or SIGTERM arrives).
    static func wait(stopping: String = "powering the lab's devices off") async {
        _ = try? await cancellable(stopping: stopping) { try await Task.sleep(for: .seconds(Double(Int32.max))) }
    }

    /// Whether a signal has asked pxelab to stop (work it cancelled may have returned normally).
    static var requested: Bool { state.withLock { $0.signals > 0 } }

    private struct State {
        var next = 0
        var running: [Int: (cancel: @Sendable () -> Void, stopping: String)] = [:]
        var signals = 0
    }

    private static let state = Mutex(State())

    /// Kept alive for the life of the process; never mutated after creation.
    nonisolated(unsafe) private static let sources: [any DispatchSourceSignal] = [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            let (count, running) = state.withLock { state in
                state.signals += 1
                return (state.signals, state.running.sorted { $0.key < $1.key }.map(\.value))
            }
            guard count == 1, let latest = running.last else { exit(128 + number) }
            FileHandle.standardError.write(Data("\npxelab: stopping: \(latest.stopping) (again to quit now)\n".utf8))
            running.forEach { $0.cancel() }
        }
        source.resume()
        return source
    }
}
