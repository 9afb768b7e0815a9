import ArgumentParser
import Foundation
import LabService

struct Registry: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the devices registered with the lab's Autopilot service, with their profile assignment.",
        discussion: """
        Shows each registration's serial, group tag, the groups it is in, the profile that reaches it \
        (through groups; with several, the oldest-created wins) and the assignment status \
        (notAssigned, assigning, assigned).
        """
    )

    @OptionGroup var selection: LabSelection

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let rows = try selection.open().autopilot.registrationSummaries()
        if json {
            try printJSON(rows)
            return
        }
        var table = Table("SERIAL", "GROUP TAG", "GROUPS", "PROFILE", "STATUS", "SOURCE")
        for row in rows {
            table.add(row.serialNumber, row.groupTag ?? "", row.groups.joined(separator: ", "), row.profile ?? "(none: 815)",
                      row.assignmentStatus.rawValue, row.source)
        }
        print(table.render())
    }
}
