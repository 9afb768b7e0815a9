import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder for a test, under this test process's own folder in the system's temporary
/// folder: a caller may remove it when done, and whatever is left (state disks, lab folders, a
/// run's images; hundreds of megabytes a suite) goes when the process exits.
public func makeTemporaryDirectory(_ label: String = "pxelab-test") -> URL {
    let url = TestFolders.root.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// `pxelab-tests-PID` in the temporary folder: made on first use, removed at exit. A process that
/// was killed leaves its folder; the next test process removes those whose process is gone.
enum TestFolders {
    static let prefix = "pxelab-tests-"

    static let root: URL = {
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
        let root = temporary.appendingPathComponent("\(prefix)\(getpid())", isDirectory: true)
        try! FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("\(TestFolders.prefix)\(getpid())")) }
        return root
    }()
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
