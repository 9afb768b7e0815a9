import Foundation

/// Runs a tool to its end and returns its exit status (or 128 + the signal that ended it),
/// waiting for it with `waitpid` on its own process id. Foundation's `Process.waitUntilExit`
/// spins a thread on Linux, and was seen here waiting forever on a shell that had exited (left a
/// zombie) after starting a daemon. The tool gets only stdin, stdout and stderr: a daemon it
/// starts must not keep a listening socket of a test beside it open after that test lets go.
///
/// `environment` adds variables to the test's own; `output` is a file standard output goes to
/// instead of the test's.
public func runTool(_ path: String, _ arguments: [String], environment: [String: String] = [:], output: URL? = nil) throws -> Int32 {
    try waitForTool(spawnTool(path, arguments, environment: environment, output: output), path: path)
}

/// Starts a tool as ``runTool(_:_:environment:output:)`` does, without waiting: returns its
/// process id, for ``waitForTool(_:path:)`` (or a signal, then the wait). `errorOutput` is a file
/// standard error is appended to instead of the test's.
public func spawnTool(_ path: String, _ arguments: [String], environment: [String: String] = [:], output: URL? = nil,
                      errorOutput: URL? = nil) throws -> pid_t {
    var pid: pid_t = 0
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var variables = ProcessInfo.processInfo.environment
    variables.merge(environment) { _, new in new }
    let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { envp.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let output { posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
    if let errorOutput { posix_spawn_file_actions_addopen(&actions, 2, errorOutput.path, O_WRONLY | O_CREAT | O_APPEND, 0o600) }
    try addCloseFrom(3, to: &actions)
    // The child starts with no signal blocked and every signal at its default: the test's
    // threads block most signals, and a daemon that inherited that mask would never see SIGTERM.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
    guard spawned == 0 else { throw ToolRunError(path: path, code: spawned) }
    return pid
}

/// Waits for a tool ``spawnTool(_:_:environment:output:)`` started; returns its exit status, or
/// 128 + the signal that ended it.
public func waitForTool(_ pid: pid_t, path: String) throws -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw ToolRunError(path: path, code: errno) }
    }
    let signal = status & 0x7F
    return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
}

/// A tool could not be started or waited for.
public struct ToolRunError: Error, CustomStringConvertible {
    public let path: String
    public let code: Int32
    public var description: String { "cannot run \(path): \(String(cString: strerror(code)))" }
}
