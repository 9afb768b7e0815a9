import Foundation

/// A fresh folder under the system's temporary folder, removed by the caller when done.
public func makeTemporaryDirectory(_ label: String = "pxelab-test") -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A URI for libvirt's test driver with private state: each open of `test:///<node file>` gets
/// its own domains, so tests running in parallel never see each other's (unlike `test:///default`).
public func privateTestDriverURI() -> String {
    let file = makeTemporaryDirectory("pxelab-node").appendingPathComponent("node.xml")
    try! Data("<node/>".utf8).write(to: file)
    return "test://" + file.path
}

/// Thrown by ``withDeadline(seconds:_:)`` when the work did not finish in time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let seconds: Double
    public var description: String { "did not finish within \(seconds) s" }
}

/// Runs async work, failing if it has not finished by a deadline. This is a guard against a hung
/// test, not synchronisation: the work itself waits for what it needs.
public func withDeadline<T: Sendable>(seconds: Double = 10, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw DeadlineExceeded(seconds: seconds)
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}
