import Foundation

/// Runs `body` on a new thread and returns what it returned. For a test that watches another
/// process and must act within a few seconds of what it sees (kill it, drop its connection): the
/// test's own task can wait that long for a thread of the cooperative pool while the tests beside
/// it block theirs.
public func onThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
