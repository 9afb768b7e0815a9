import Foundation

/// The `pxelab` command built beside the running tests (`swift test` builds every product), run
/// as its own process: what a user runs, so that it can be killed like one.
public struct PXELabCommand: Sendable {
    public let executable: URL

    /// The `pxelab` beside this test bundle's executable.
    public init() throws {
        var folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        // Some layouts put the test executable inside `pxelabPackageTests.xctest`.
        while folder.path.contains(".xctest") { folder.deleteLastPathComponent() }
        executable = folder.appendingPathComponent("pxelab")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw MissingCommand(path: executable.path)
        }
    }

    public struct MissingCommand: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "pxelab is not built at \(path) (swift test builds it with the tests)" }
    }

    /// A `pxelab` process that was started.
    public final class Running: @unchecked Sendable {
        let process: Process
        /// Its standard output and error, as written so far.
        public let log: URL

        let ended = Termination()

        init(process: Process, log: URL) {
            self.process = process
            self.log = log
        }

        public var isRunning: Bool { process.isRunning }

        /// Its process id.
        public var pid: Int32 { process.processIdentifier }

        /// Sends a signal (SIGKILL: no chance to clean up).
        public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        /// Waits for the process to end; its exit status (or the signal that ended it).
        /// (Foundation's `waitUntilExit` spins a thread on Linux; this waits for the termination handler.)
        public func exit() async -> Int32 {
            await ended.wait()
            return process.terminationStatus
        }

        /// What it printed.
        public func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    /// Starts `pxelab ARGUMENTS` in `folder`, its output going to a file there (and its error
    /// output too, unless `errors` is false).
    public func start(_ arguments: [String], in folder: URL, errors: Bool = true) throws -> Running {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let log = folder.appendingPathComponent("pxelab-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = errors ? handle : FileHandle.nullDevice
        let running = Running(process: process, log: log)
        process.terminationHandler = { _ in running.ended.signal() }
        try process.run()
        return running
    }

    /// Runs `pxelab ARGUMENTS` in `folder` to the end: its exit status and what it printed on its
    /// standard output.
    public func run(_ arguments: [String], in folder: URL) async throws -> (status: Int32, output: String) {
        let running = try start(arguments, in: folder, errors: false)
        let status = await running.exit()
        return (status, running.output())
    }
}

/// A one-time signal an async caller can wait for, before or after it is given.
final class Termination: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func signal() {
        let waiting = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            done = true
            defer { waiters = [] }
            return waiters
        }
        waiting.forEach { $0.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let now = lock.withLock { () -> Bool in
                if done { return true }
                waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
