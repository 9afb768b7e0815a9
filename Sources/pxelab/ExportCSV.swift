import ArgumentParser
import Foundation
import LabService

struct ExportCSV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-csv",
        abstract: "Write the lab tenant's registered devices as a hardware-hash CSV Intune imports.",
        discussion: "ASCII, CRLF line ends and padded hashes; Group Tag and Assigned User columns when any device has them."
    )

    @OptionGroup var selection: LabSelection

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        let data = try selection.open().autopilot.exportCSV()
        if let output {
            try data.write(to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}
