import Foundation
import Testing

/// The TFTP clients the tests drive the server with (Debian's curl, tftp-hpa and atftp).
enum Client: String, CustomStringConvertible {
    case curl = "/usr/bin/curl"
    case tftpHPA = "/usr/bin/tftp"
    case atftp = "/usr/bin/atftp"

    var package: String {
        switch self {
        case .curl: "curl"
        case .tftpHPA: "tftp-hpa"
        case .atftp: "atftp"
        }
    }

    var description: String { "\(rawValue) (Debian's \(package))" }

    /// Runs the client to its end, killed after `seconds`: its exit status and what it wrote
    /// (standard output, then standard error). Foundation's `Process` closes the test's other
    /// descriptors in the child, so a client never holds a server's port open.
    func run(_ arguments: [String], within seconds: Double = 120) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rawValue)
        process.arguments = arguments
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tftp-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let (exited, exit) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in exit.finish() }
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(seconds))
            kill(pid, SIGKILL)
        }
        for await _ in exited {}
        let killed = !watchdog.isCancelled && process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        watchdog.cancel()
        let output = (try String(contentsOf: out, encoding: .utf8)) + (try String(contentsOf: err, encoding: .utf8))
        if killed { throw DeadlineExceeded(what: "\(rawValue) \(arguments.joined(separator: " ")): \(output)") }
        return (process.terminationStatus, output)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where the client is installed (always, failing without it, under
    /// `PXELAB_REQUIRE_PREREQUISITES=1`, as `make test` runs).
    static func needs(_ client: Client) -> Self {
        .enabled(if: FileManager.default.isExecutableFile(atPath: client.rawValue)
                    || ProcessInfo.processInfo.environment["PXELAB_REQUIRE_PREREQUISITES"] == "1",
                 "needs \(client); make test installs it")
    }
}
