import Foundation

/// A lab file in a fresh temporary folder, with its state folder beside it, for tests that run
/// `pxelab run` on it as its own process, as a user would.
public struct PXELabRunFixture: Sendable {
    public let pxelab: PXELabCommand
    /// The temporary folder: the lab file, the state folder, and where `pxelab` runs.
    public let folder: URL
    /// The lab file.
    public let file: URL
    /// The state folder given as `--state-dir`.
    public let state: URL
    /// The lab's own state folder in it (`state/<lab>`).
    public let labFolder: URL

    /// Writes `text`, a lab file whose `lab` is `name`, to `<name>.yaml` in a new folder named
    /// after `label`. ``remove()`` removes the folder.
    public init(lab text: String, named name: String, label: String) throws {
        pxelab = try PXELabCommand()
        folder = makeTemporaryDirectory(label)
        file = folder.appendingPathComponent("\(name).yaml")
        try Data(text.utf8).write(to: file)
        state = folder.appendingPathComponent("state")
        labFolder = state.appendingPathComponent(name)
    }

    /// Starts `pxelab run FILE --state-dir STATE ARGUMENTS` in the folder.
    public func start(_ arguments: [String] = []) throws -> PXELabCommand.Running {
        try pxelab.start(runArguments(arguments), in: folder)
    }

    /// Runs `pxelab run FILE --state-dir STATE ARGUMENTS` to the end: its exit status and its
    /// standard output.
    public func run(_ arguments: [String] = []) async throws -> (status: Int32, output: String) {
        try await pxelab.run(runArguments(arguments), in: folder)
    }

    public func remove() { try? FileManager.default.removeItem(at: folder) }

    private func runArguments(_ arguments: [String]) -> [String] {
        ["run", file.path, "--state-dir", state.path] + arguments
    }
}
