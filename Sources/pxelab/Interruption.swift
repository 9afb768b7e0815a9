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
    /// Runs work that a signal cancels.
    static func cancellable<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        _ = sources
        let task = Task { try await work() }
        let token = state.withLock { state in
            state.next += 1
            state.running[state.next] = { task.cancel() }
            return state.next
        }
        defer { _ = state.withLock { $0.running.removeValue(forKey: token) } }
        return try await task.value
    }

    /// Returns when the user presses Ctrl-C (or SIGTERM arrives).
    static func wait() async {
        _ = try? await cancellable { try await Task.sleep(for: .seconds(Double(Int32.max))) }
    }

    /// Whether a signal has asked pxelab to stop (work it cancelled may have returned normally).
    static var requested: Bool { state.withLock { $0.signals > 0 } }

    private struct State {
        var next = 0
        var running: [Int: @Sendable () -> Void] = [:]
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
                return (state.signals, Array(state.running.values))
            }
            if count > 1 || running.isEmpty { exit(128 + number) }
            FileHandle.standardError.write(Data("\npxelab: stopping: powering the lab's devices off (again to quit now)\n".utf8))
            running.forEach { $0() }
        }
        source.resume()
        return source
    }
}
