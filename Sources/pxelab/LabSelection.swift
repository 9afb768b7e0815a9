import ArgumentParser
import Foundation
import LabService
import LabFiles

/// `--lab FILE` for commands that act on one lab; without it, the only lab in the state folder.
struct LabSelection: ParsableArguments {
    @Option(help: "The lab file (default: the only lab in the state folder).")
    var lab: String?

    @Option(name: .customLong("state-dir"),
            help: "Where lab state lives (default: .pxelab in the current folder, or $PXELAB_STATE_DIR).")
    var stateDirectory: String?

    var stateRoot: URL {
        stateDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? LabDirectory.defaultRoot
    }

    /// The lab file, read and checked; every problem is printed and the command fails.
    func labFile() throws -> LabFile {
        let file: String
        do {
            file = try lab ?? Lab.onlyLabFile(under: stateRoot)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        return try LabOptions.load(file)
    }

    /// Opens the lab (its store and Autopilot service).
    func open() throws -> Lab {
        try Lab(labFile: try labFile(), stateRoot: stateRoot)
    }

    /// Opens the lab when one is chosen (`--lab`, or the only lab in the state folder); nil when
    /// none is.
    func openIfChosen() throws -> Lab? {
        guard let file = try lab ?? Lab.labFiles(under: stateRoot).only else { return nil }
        return try Lab(labFile: try LabOptions.load(file), stateRoot: stateRoot)
    }
}

extension Array {
    /// The one element, when there is exactly one.
    var only: Element? { count == 1 ? first : nil }
}
