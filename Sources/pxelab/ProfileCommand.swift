import ArgumentParser
import Autopilot
import Foundation
import LabService
import LabFiles

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Export deployment profiles (Graph JSON or AutopilotConfigurationFile.json) and import them.",
        subcommands: [Export.self, Import.self]
    )

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a profile of the lab as Graph JSON or as an offline AutopilotConfigurationFile.json.",
            discussion: """
            --offline writes the file exactly as the WindowsAutopilotIntune PowerShell module does \
            (ConvertTo-AutopilotConfigurationJSON, saved with Set-Content -Encoding Ascii): every field, \
            CloudAssignedOobeConfig's bits, ASCII. Without it, the profile is written as Graph's \
            windowsAutopilotDeploymentProfile JSON, which a lab file accepts as a profile entry.
            """
        )

        @Argument(help: "The profile's display name.")
        var name: String

        @OptionGroup var selection: LabSelection

        @Flag(help: "Write AutopilotConfigurationFile.json instead of Graph JSON.")
        var offline = false

        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
        var output: String?

        func run() throws {
            let lab = try selection.open()
            guard let profile = lab.labFile.profiles.first(where: { $0.displayName == name }) else {
                printError("no profile '\(name)' in lab '\(lab.labFile.lab)'; profiles: "
                           + lab.labFile.profiles.map { "'\($0.displayName)'" }.joined(separator: ", "))
                throw ExitCode.failure
            }
            let data = offline ? OfflineProfile.export(profile, tenant: lab.autopilot.tenant) : profile.graphJSON() + Data("\n".utf8)
            if let output { try data.write(to: URL(fileURLWithPath: output)) } else { FileHandle.standardOutput.write(data) }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read an AutopilotConfigurationFile.json (or Graph profile JSON) and print it as a lab-file profile.",
            discussion: """
            An offline file's CloudAssignedOobeConfig is decoded back into the OOBE settings; Graph JSON \
            is checked like a lab file's profile entry. The profile is printed as Graph JSON, which can \
            be pasted into a lab file's `profiles` list. A tenant that differs from the lab's is \
            reported (devices would be told they belong to another organisation).
            """
        )

        @Argument(help: "The AutopilotConfigurationFile.json or Graph profile JSON.")
        var file: String

        @OptionGroup var selection: LabSelection

        func run() throws {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let text = String(decoding: data, as: UTF8.self)
            let profile: DeploymentProfile
            do {
                if text.contains("\"ZtdCorrelationId\"") {
                    let contents = try OfflineProfile.read(data, createdAt: Date())
                    if let lab = try selection.openIfChosen(), lab.autopilot.tenant.id != contents.tenantID {
                        printError("warning: \(file) is for tenant \(contents.tenantDomain) "
                                   + "(\(contents.tenantID.uuidString.lowercased())), not the lab's \(lab.autopilot.tenant.domain)")
                    }
                    profile = contents.profile
                } else {
                    profile = try LabFile.readProfile(text, file: file, lab: "imported")
                }
            } catch {
                printError("\(file): \(error)")
                throw ExitCode.failure
            }
            FileHandle.standardOutput.write(profile.graphJSON() + Data("\n".utf8))
        }
    }
}
