import Dispatch
import Foundation

/// Ctrl-C (SIGINT) or SIGTERM during a run: the first stops the work cleanly (the session powers
/// the lab's VMs off and stops the endpoint before pxelab exits); a second exits at once.
enum Interruption {
    /// Runs work that a signal cancels.
    static func cancellable<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await work() }
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let count = Counter()
            source.setEventHandler {
                if count.next() > 1 { exit(128 + number) }
                FileHandle.standardError.write(Data("\npxelab: stopping: powering the lab's devices off (again to quit now)\n".utf8))
                task.cancel()
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        return try await task.value
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.withLock { value += 1; return value } }
    }
}
