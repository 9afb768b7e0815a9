import Dispatch

/// Runs blocking work (SQLite through GRDB, file reads) on Dispatch's threads and suspends the
/// caller meanwhile, so request handlers never block Swift's cooperative pool (two threads on a
/// two-core machine): while one request waits for the store's writer, others keep being served.
enum Offload {
    private static let queue = DispatchQueue(label: "pxelab.endpoint.blocking", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
