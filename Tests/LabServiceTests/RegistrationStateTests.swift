import Foundation
import Testing
import Autopilot
import LabFiles
@testable import LabService
import TestSupport

/// Registration states read by key for a page, and whole for more than SQLite binds at once.
@Suite("registration states: a page by key, thousands at once")
struct RegistrationStateTests {
    @Test func statesOfManyMoreThanAPageReadTheirAssignmentsWhole() throws {
        let text = """
            lab: states
            models:
              laptop: { manufacturer: Contoso, product: Lab Laptop }
            fleet:
              - { model: laptop, count: 5001, name: "d-{seq}", serial: "S{seq:05}", groupTag: Sales }
            groups:
              - { name: Sales, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))' }
            profiles:
              - { displayName: Sales, assignments: [Sales] }
            """
        let lab = try Lab(labFile: try LabFile.parse(text, file: "states.yaml"), stateRoot: makeTemporaryDirectory("pxelab-states"))
        let all = try lab.autopilot.states(of: lab.autopilot.registrations())
        #expect(all.count == 5_001)
        #expect(all.allSatisfy { $0.profile?.displayName == "Sales" && $0.assignmentStatus == .assigned })
        // Stored by that look: a page read by key finds the same assignments.
        let (page, total) = try lab.autopilot.registrationPage(after: nil, limit: 1_000)
        #expect(total == 5_001)
        #expect(page.count == 1_000)
        let since = Dictionary(uniqueKeysWithValues: all.map { ($0.registration.id, $0.assignment.since) })
        // (The store keeps milliseconds.)
        #expect(page.allSatisfy { abs(since[$0.registration.id]!.timeIntervalSince($0.assignment.since)) < 0.001 })
        let next = try lab.autopilot.registrationPage(after: page.last?.registration.id, limit: 1_000).states
        #expect(next.first.map { $0.registration.id > page.last!.registration.id } == true)
    }
}
