import Dispatch

/// Runs blocking work (SQLite through GRDB, file reads) on Dispatch's threads and suspends the
/// caller meanwhile, so that async code never blocks Swift's cooperative pool (two threads on a
/// two-core machine): while one request or flow waits for the store's writer, others go on. Every
/// store call made from async code goes through here.
public enum Offload {
    private static let queue = DispatchQueue(label: "pxelab.store.blocking", attributes: .concurrent)

    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
