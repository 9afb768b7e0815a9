import ArgumentParser
import Autopilot
import Foundation
import LabController

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

    struct Row: Encodable {
        var serialNumber: String
        var ztdId: String
        var groupTag: String?
        var assignedUser: String?
        var groups: [String]
        var profile: String?
        var status: String
        var source: String
    }

    func run() throws {
        let lab = try selection.open()
        let service = lab.autopilot
        let resolver = AssignmentResolver(configuration: service.configuration)
        let rows = try lab.store.registeredDevices().filter { $0.tenantID == service.tenant.id }.map { device in
            let (assignment, profile) = try service.assignment(of: device)
            let status = assignment.status(at: Date(), delaySeconds: service.configuration.assignmentDelaySeconds)
            return Row(serialNumber: device.serialNumber, ztdId: device.id, groupTag: device.groupTag,
                       assignedUser: device.assignedUser, groups: resolver.groups(of: device).map(\.displayName),
                       profile: profile?.displayName, status: status.rawValue, source: device.source)
        }
        if json {
            try printJSON(rows)
            return
        }
        var table = Table("SERIAL", "GROUP TAG", "GROUPS", "PROFILE", "STATUS", "SOURCE")
        for row in rows {
            table.add(row.serialNumber, row.groupTag ?? "", row.groups.joined(separator: ", "), row.profile ?? "(none: 815)",
                      row.status, row.source)
        }
        print(table.render())
    }
}
