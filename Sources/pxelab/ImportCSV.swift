import ArgumentParser
import Foundation
import LabService

struct ImportCSV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-csv",
        abstract: "Register devices with the lab's Autopilot service from a hardware-hash CSV.",
        discussion: """
        Accepts what Intune accepts: 3 columns, + Group Tag, + Assigned User, or the partner form \
        (Manufacturer name, Device model; a row may leave the hash empty), in ASCII/ANSI, UTF-8 with \
        or without BOM, or UTF-16LE with BOM (what Get-WindowsAutopilotInfo writes), CRLF or LF. \
        Intune's rules are enforced: case-sensitive headers, no extra columns, no quotes, at most 500 \
        rows, padded base64 hashes, no placeholder serials, no serial twice, none already registered \
        (to this tenant or another). The import is atomic: one bad row and nothing is registered, \
        and every bad row is reported.
        """
    )

    @Argument(help: "The CSV file.")
    var file: String

    @OptionGroup var selection: LabSelection

    func run() throws {
        let lab = try selection.open()
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            printError("\(file): cannot read the file: \(error.localizedDescription)")
            throw ExitCode.failure
        }
        do {
            let registered = try lab.autopilot.importCSV(data, source: file)
            var table = Table("SERIAL", "MANUFACTURER", "MODEL", "GROUP TAG", "ZTDID")
            for device in registered {
                table.add(device.serialNumber, device.manufacturer ?? "", device.model ?? "", device.groupTag ?? "", device.id)
            }
            print(table.render())
            print("\n\(registered.count) devices registered to \(lab.autopilot.tenant.domain) (lab '\(lab.labFile.lab)')")
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }
}
