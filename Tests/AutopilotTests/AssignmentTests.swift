import Foundation
import Testing
@testable import Autopilot

func profile(_ name: String, createdMinute: Int, assignments: [String], exclusions: [String] = [],
             settings: OutOfBoxExperienceSettings = OutOfBoxExperienceSettings()) -> DeploymentProfile {
    DeploymentProfile(id: name.lowercased(), displayName: name, outOfBoxExperienceSettings: settings,
                      createdDateTime: Date(timeIntervalSince1970: Double(createdMinute * 60)),
                      assignments: assignments, exclusions: exclusions)
}

func registered(_ serial: String, tag: String? = nil) -> RegisteredDevice {
    RegisteredDevice(id: "ztd-\(serial)", tenantID: tenantID, serialNumber: serial, hardwareHash: nil, groupTag: tag,
                     registeredAt: Date(timeIntervalSince1970: 0), source: "test")
}

@Suite("assignment, as Intune resolves it")
struct AssignmentTests {
    let groups = [
        DeviceGroup(id: "g1", displayName: "Sales", membership: .dynamic(try! MembershipRule(#"device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales")"#))),
        DeviceGroup(id: "g2", displayName: "Autopilot", membership: .dynamic(try! MembershipRule(#"device.devicePhysicalIds -any (_ -startsWith "[ZTDId]")"#))),
        DeviceGroup(id: "g3", displayName: "Pilot", membership: .assigned(serials: ["P-1"])),
    ]

    func resolver(_ profiles: [DeploymentProfile]) -> AssignmentResolver {
        AssignmentResolver(configuration: ServiceConfiguration(tenant: Tenant(id: tenantID, domain: "contoso.onmicrosoft.com",
                                                                              displayName: "Contoso"),
                                                               groups: groups, profiles: profiles))
    }

    @Test func groupsFromRulesAndMembers() {
        let resolver = resolver([])
        #expect(resolver.groups(of: registered("S-1", tag: "Sales")).map(\.displayName) == ["Sales", "Autopilot"])
        #expect(resolver.groups(of: registered("P-1")).map(\.displayName) == ["Autopilot", "Pilot"])
    }

    @Test func theOldestCreatedProfileWins() {
        let resolver = resolver([
            profile("Newer", createdMinute: 5, assignments: ["Sales"]),
            profile("Older", createdMinute: 1, assignments: ["Autopilot"]),
        ])
        #expect(resolver.profile(for: registered("S-1", tag: "Sales"))?.displayName == "Older")
    }

    @Test func exclusionsAndAllDevices() {
        let resolver = resolver([
            profile("Everyone", createdMinute: 1, assignments: [DeploymentProfile.allDevices], exclusions: ["Pilot"]),
            profile("Pilot", createdMinute: 2, assignments: ["Pilot"]),
        ])
        #expect(resolver.profile(for: registered("X-1"))?.displayName == "Everyone")
        #expect(resolver.profile(for: registered("P-1"))?.displayName == "Pilot")
    }

    @Test func noProfileReachesTheDevice() {
        #expect(resolver([profile("Sales", createdMinute: 1, assignments: ["Sales"])]).profile(for: registered("X-1")) == nil)
    }

    @Test func assignmentMovesFromAssigningToAssigned() {
        let start = Date(timeIntervalSince1970: 1000)
        let target = profile("P", createdMinute: 0, assignments: ["Sales"])
        let assignment = ProfileAssignment(profileID: nil, since: start).reconciled(with: target, at: start)
        #expect(assignment.status(at: start, delaySeconds: 30) == .assigning)
        #expect(assignment.status(at: start.addingTimeInterval(29), delaySeconds: 30) == .assigning)
        #expect(assignment.status(at: start.addingTimeInterval(30), delaySeconds: 30) == .assigned)
        // The same profile still targeting the device keeps the clock running.
        #expect(assignment.reconciled(with: target, at: start.addingTimeInterval(10)) == assignment)
        // Another profile starts over; none at all is "not assigned".
        let other = profile("Q", createdMinute: 0, assignments: ["Sales"])
        #expect(assignment.reconciled(with: other, at: start.addingTimeInterval(40)).since == start.addingTimeInterval(40))
        #expect(assignment.reconciled(with: nil, at: start).status(at: start, delaySeconds: 0) == .notAssigned)
    }

    @Test func espByPriorityAndTheDefault() {
        var configuration = resolver([]).configuration
        configuration.enrollmentStatusPages = [
            EnrollmentStatusPage(id: "a", displayName: "Broad", priority: 2, createdDateTime: Date(), assignments: [DeploymentProfile.allDevices]),
            EnrollmentStatusPage(id: "b", displayName: "Sales", priority: 1, createdDateTime: Date(), assignments: ["Sales"]),
        ]
        let resolver = AssignmentResolver(configuration: configuration)
        #expect(resolver.enrollmentStatusPage(for: registered("S-1", tag: "Sales")).displayName == "Sales")
        #expect(resolver.enrollmentStatusPage(for: registered("X-1")).displayName == "Broad")
        configuration.enrollmentStatusPages = []
        let fallback = AssignmentResolver(configuration: configuration).enrollmentStatusPage(for: registered("X-1"))
        #expect(fallback.displayName == "All users and all devices")
        #expect(!fallback.showInstallationProgress)
    }

    @Test func appsAndPoliciesByTargetAndGroup() {
        var configuration = resolver([]).configuration
        configuration.apps = [
            App(id: "portal", displayName: "Company Portal"),
            App(id: "crm", displayName: "CRM", assignments: ["Sales"]),
            App(id: "teams", displayName: "Teams", target: .user),
            App(id: "optional", displayName: "Optional", required: false),
        ]
        configuration.configurations = [ConfigurationItem(id: "wifi", displayName: "Wi-Fi", kind: .wifi)]
        let resolver = AssignmentResolver(configuration: configuration)
        #expect(resolver.apps(for: registered("S-1", tag: "Sales"), target: .device).map(\.id) == ["portal", "crm"])
        #expect(resolver.apps(for: registered("X-1"), target: .device).map(\.id) == ["portal"])
        #expect(resolver.apps(for: registered("X-1"), target: .user).map(\.id) == ["teams"])
        #expect(resolver.configurations(for: registered("X-1"), target: .device).map(\.id) == ["wifi"])
    }
}
