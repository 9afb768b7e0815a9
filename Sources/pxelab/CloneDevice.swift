import ArgumentParser
import Autopilot
import Foundation
import LabFiles

struct CloneDevice: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone-device",
        abstract: "Turn a field device's hardware-hash CSV into a lab file that reproduces it.",
        discussion: """
        Each CSV row becomes a lab device whose SMBIOS serial, manufacturer, product, SKU, family, \
        version, UUID and MAC are the ones decoded from its hardware hash, which it also presents, \
        with the row's group tag and user. The CSV is read as collected on the device (UTF-16LE with \
        BOM from Windows PowerShell, unpadded hashes and placeholder serials are fine: a placeholder \
        serial is marked `reproduce: [placeholder-serial]`). The lab file is ready for `pxelab up`.
        """
    )

    @Argument(help: "The CSV file Get-WindowsAutopilotInfo wrote on the field device.")
    var file: String

    @Option(help: "Clone only this row (1 is the first device row).")
    var row: Int?

    @Option(name: .customLong("lab-name"), help: "The new lab's name.")
    var labName = "field-clone"

    @Option(name: .shortAndLong, help: "Write the lab file here instead of standard output.")
    var output: String?

    func run() throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            printError("\(file): cannot read the file: \(error.localizedDescription)")
            throw ExitCode.failure
        }
        do {
            var rows = try AutopilotCSV.read(data, source: file, rules: .fieldCollection)
            if let row {
                guard rows.indices.contains(row - 1) else {
                    printError("\(file): there is no device row \(row) (the file has \(rows.count))")
                    throw ExitCode.failure
                }
                rows = [rows[row - 1]]
            }
            let text = try FieldDeviceClone.labFile(lab: labName, rows: rows, source: URL(fileURLWithPath: file).lastPathComponent)
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
                printError("wrote \(output): \(rows.count) device(s); bring them up with: pxelab up \(output)")
            } else {
                print(text, terminator: "")
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }
}
