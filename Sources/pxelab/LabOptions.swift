import ArgumentParser
import Foundation
import LabService
import LabFiles

/// Options shared by commands that act on a lab file.
struct LabOptions: ParsableArguments {
    @Argument(help: "The lab file (YAML), for example Topologies/demo.yaml.")
    var file: String

    @Option(name: .customLong("state-dir"),
            help: "Where lab state lives (default: .pxelab in the current folder, or $PXELAB_STATE_DIR).")
    var stateDirectory: String?

    /// Loads the lab file, printing every problem and failing when it has any.
    func loadLabFile() throws -> LabFile { try Self.load(file) }

    /// Loads a lab file, printing every problem and failing (status 2) when it has any.
    static func load(_ file: String) throws -> LabFile {
        do {
            return try LabFile.load(file: file)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }

    func directory(for labFile: LabFile) -> LabDirectory {
        LabDirectory(root: stateRoot, lab: labFile.lab)
    }

    var stateRoot: URL {
        stateDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? LabDirectory.defaultRoot
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Prints a value as indented JSON with sorted keys.
func printJSON<Value: Encodable>(_ value: Value) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
