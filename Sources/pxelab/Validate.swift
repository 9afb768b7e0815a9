import ArgumentParser
import LabFiles
import LabService

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check lab files and report every problem with its file, line, column and field.",
        discussion: """
        Reads each lab file and checks it completely: unknown or misspelt fields, wrong value types, \
        models and hosts that do not exist, duplicate device names, serials, MACs and UUIDs, placeholder \
        serials such as "Default string", invalid device-name templates, assignments to groups that \
        do not exist, and hosts' EK authorities that are not a CA's certificates. Exits with status 2 \
        when any file has a problem.
        """
    )

    @Argument(help: "One or more lab files.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let labFile = try LabFile.load(file: file)
                try TPMAttestation.checkAuthorities(of: labFile.hosts)
                let models = Set(labFile.devices.map(\.model)).count
                print("\(file): OK - lab '\(labFile.lab)', \(labFile.devices.count) devices of \(models) models, "
                      + "\(labFile.profiles.count) profiles, \(labFile.groups.count) groups, "
                      + "\(labFile.scenario.count) scenario steps")
            } catch let error as LabFileError {
                printError(error.description)
                failed = true
            } catch {
                printError("\(file): \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(2) }
    }
}
