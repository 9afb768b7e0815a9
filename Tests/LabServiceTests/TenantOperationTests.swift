import Foundation
import Testing
import Autopilot
import DeviceProtocol
import GRDB
import LabService
@testable import LabStore
import LabFiles
import TestSupport

/// The tenant's operations, as every front door calls them: each one checked where it is
/// written, once.
@Suite("the lab's tenant operations")
struct TenantOperationTests {
    func open() throws -> Lab {
        try Lab(labFile: try LabFile.parse(serviceLab, file: "svc.yaml"), stateRoot: makeTemporaryDirectory("pxelab-state"))
    }

    /// The same lab opened again from its store, as a restarted controller sees it.
    func reopen(_ lab: Lab) throws -> Lab {
        try Lab(labFile: lab.labFile, stateRoot: lab.directory.url.deletingLastPathComponent())
    }

    @Test func aConfigurationChangeIsStoredAsItTakesEffect() throws {
        let lab = try open()
        let before = lab.autopilot.revision
        let group = try lab.autopilot.addGroup(named: "Kiosks", .members(["LOOSE-1"]))
        #expect(lab.autopilot.configuration.groups.contains(group))
        #expect(lab.autopilot.revision > before)
        #expect(try reopen(lab).autopilot.configuration.groups.map(\.displayName) == ["Sales devices", "Kiosks"])
    }

    @Test func aChangeThatThrowsOrCannotBeStoredLeavesTheConfigurationAsItWas() throws {
        let lab = try open()
        let before = lab.autopilot.configuration
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try lab.autopilot.configure { configuration in
                configuration.groups = []
                throw Refused()
            }
        }
        #expect(lab.autopilot.configuration == before)
        // The store refuses writes: the change is not in force either.
        try lab.store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = ON") }
        #expect(throws: LabStoreError.self) { try lab.autopilot.addGroup(named: "Kiosks", .members(["LOOSE-1"])) }
        try lab.store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = OFF") }
        #expect(lab.autopilot.configuration == before)
        #expect(try reopen(lab).autopilot.configuration == before)
    }

    @Test func groupsRefuseBadRulesAndTwins() throws {
        let lab = try open()
        #expect {
            try lab.autopilot.addGroup(named: "Bad", .rule("(device.devicePhysicalIds -any"))
        } throws: { error in
            guard case LabError.badRule(_, let column) = error else { return false }
            return column > 1
        }
        #expect {
            try lab.autopilot.addGroup(named: "Sales devices", .members([]))
        } throws: { error in
            if case LabError.groupExists("Sales devices") = error { return true }
            return false
        }
    }

    @Test func profilesNeedKnownGroupsANewNameAndAreDeletedById() throws {
        let lab = try open()
        let kiosk = try LabFile.readProfile(#"{"displayName": "Kiosk", "assignments": ["Nobody"]}"#, file: "body", lab: "svc")
        #expect {
            try lab.autopilot.addProfile(kiosk)
        } throws: { error in
            if case LabError.unknownGroup("Nobody") = error { return true }
            return false
        }
        var valid = kiosk
        valid.assignments = [DeploymentProfile.allDevices]
        let added = try lab.autopilot.addProfile(valid)
        #expect(try lab.autopilot.discoverProfile(serial: "LOOSE-1") != .noProfile)
        #expect(throws: LabError.self) { try lab.autopilot.addProfile(valid) }
        try lab.autopilot.deleteProfile(id: added.id)
        #expect(try lab.autopilot.discoverProfile(serial: "LOOSE-1") == .noProfile)
        #expect(throws: LabError.self) { try lab.autopilot.deleteProfile(id: added.id) }
    }

    @Test func assigningAProfileNamesItAndItsGroups() throws {
        let lab = try open()
        #expect(throws: LabError.self) { try lab.autopilot.assign(profileNamed: "Nobody", to: []) }
        #expect(throws: LabError.self) { try lab.autopilot.assign(profileNamed: "Sales", to: ["No such group"]) }
        try lab.autopilot.assign(profileNamed: "Sales", to: [DeploymentProfile.allDevices])
        #expect(lab.autopilot.configuration.profiles.first?.assignments == [DeploymentProfile.allDevices])
        #expect(try lab.autopilot.discoverProfile(serial: "LOOSE-1") != .noProfile)
    }

    @Test func aRegistrationUpdateMovesTheDeviceAndANameReachesItsProfile() throws {
        let lab = try open()
        let summary = { try lab.autopilot.registrationSummaries().first { $0.serialNumber == "LOOSE-1" } }
        #expect(try summary()?.profile == nil)
        let updated = try lab.autopilot.update(serial: "LOOSE-1", .init(groupTag: "Sales", displayName: "FRONT-DESK"))
        #expect(updated.map(\.groupTag) == ["Sales"])
        #expect(try summary()?.groups == ["Sales devices"])
        #expect(try summary()?.profile == "Sales")
        let registration = try #require(try lab.autopilot.registration(serial: "LOOSE-1"))
        let profile = try #require(lab.autopilot.configuration.profiles.first)
        let document = AutopilotProfileDocument(profile: profile, tenant: lab.autopilot.tenant, registration: registration)
        #expect(document.cloudAssignedDeviceName == "FRONT-DESK")
        // An empty text clears; a bad tag changes nothing.
        try lab.autopilot.update(serial: "LOOSE-1", .init(displayName: ""))
        #expect(try lab.autopilot.registration(serial: "LOOSE-1")?.displayName == nil)
        #expect(throws: LabError.self) { try lab.autopilot.update(serial: "LOOSE-1", .init(groupTag: "a,b")) }
        #expect(try lab.autopilot.registration(serial: "LOOSE-1")?.groupTag == "Sales")
        #expect(try lab.autopilot.update(serial: "NEW-1", .init(groupTag: "Sales")).isEmpty)
    }
}

@Suite("the lab's device operations")
struct DeviceOperationTests {
    func open() throws -> Lab {
        try Lab(labFile: try LabFile.parse(serviceLab, file: "svc.yaml"), stateRoot: makeTemporaryDirectory("pxelab-state"))
    }

    @Test func anInjectedFaultIsMarkedAndAnotherTenantFaultMovesTheRegistration() throws {
        let lab = try open()
        let fault = try lab.inject(Fault(id: "slow", kind: .hang, phase: .espDeviceSetup), into: "SALES-1")
        #expect(fault.id == "api-slow")
        #expect(try lab.faults(of: "sales-1") == [fault])
        // The lab file's faults are replaced at the next run; injected ones stay.
        try lab.applyLabFileFaults()
        #expect(try lab.faults(of: "sales-1") == [fault])
        try lab.inject(Fault(id: "moved", kind: .otherTenant), into: "loose")
        #expect(try lab.autopilot.discoverProfile(serial: "LOOSE-1") == .otherTenant(tenantID: AutopilotService.otherTenant))
        #expect(try lab.clearFaults(of: "sales-1") == 1)
        #expect(throws: LabError.self) { try lab.inject(fault, into: "nobody") }
    }

    @Test func queuedActionsDoTheServicesPartAtOnce() throws {
        let lab = try open()
        try lab.queue(.repurpose(.init(groupTag: "Sales", assignedUser: "adele@contoso.onmicrosoft.com"), wipe: .full), for: "loose")
        #expect(try lab.store.pendingActions(for: "loose") == [.wipe(keepEnrollment: false, keepUserData: false)])
        #expect(try lab.autopilot.registration(serial: "LOOSE-1")?.assignedUser == "adele@contoso.onmicrosoft.com")
        try lab.queue(.retire, for: "SALES-2")
        #expect(try lab.store.pendingActions(for: "sales-2") == [.retire])
        #expect(try lab.autopilot.discoverProfile(serial: "SALES-2") == .notRegistered)
        try lab.queue(.reset(remote: true), for: "sales-1")
        #expect(try lab.store.pendingActions(for: "sales-1") == [.reset(remote: true)])
    }

    @Test func selectorsPickDevicesInLabOrder() throws {
        let lab = try open()
        #expect(try lab.devices(selectedBy: .group("Sales devices")).map(\.name) == ["sales-1", "sales-2"])
        #expect(try lab.devices(selectedBy: .groupTag("Sales")).map(\.name) == ["sales-1", "sales-2"])
        #expect(try lab.devices(selectedBy: .devices(["LOOSE-1", "sales-2"])).map(\.name) == ["loose", "sales-2"])
        #expect(try lab.devices(selectedBy: .model("laptop")).count == 4)
        #expect(throws: LabError.self) { try lab.devices(selectedBy: .devices(["nobody"])) }
    }

    @Test func summariesShowEachDevicesRegistrationAndOutcome() throws {
        let lab = try open()
        let summaries = try lab.deviceSummaries()
        #expect(summaries.map(\.name) == ["loose", "sales-1", "sales-2", "unregistered"])
        let sales = try #require(summaries.first { $0.name == "sales-1" })
        #expect(sales.outcome == .factory)
        #expect(sales.registration?.groups == ["Sales devices"])
        #expect(sales.registration?.mode == .userDriven)
        #expect(summaries.first { $0.name == "unregistered" }?.registration == nil)
        #expect(try lab.deviceSummaries(named: "nobody").isEmpty)
    }
}

@Suite("the lab's vocabulary")
struct VocabularyTests {
    @Test func everyPhaseAndOutcomeHasItsColourInTheCSSAndItsNameInTheJSON() throws {
        for phase in OOBEPhase.allCases {
            #expect(Vocabulary.css.contains("--ph-\(phase.rawValue): \(phase.colour);"))
            #expect(Vocabulary.css.contains(".ph-\(phase.rawValue) { --ph: var(--ph-\(phase.rawValue)); }"))
        }
        for outcome in DeviceOutcome.allCases {
            #expect(Vocabulary.css.contains(".outcome-\(outcome.rawValue) {"))
        }
        let json = try JSONSerialization.jsonObject(with: try Vocabulary.json()) as? [String: [[String: Any]]]
        #expect(json?["phases"]?.map { $0["name"] as? String } == OOBEPhase.allCases.map(\.rawValue))
        let provisioning = json?["outcomes"]?.first { $0["name"] as? String == "provisioning" }
        #expect(provisioning?["label"] as? String == "in progress")
        #expect(json?["outcomes"]?.filter { $0["failure"] as? Bool == true }.map { $0["name"] as? String } == ["failed", "boot-loop"])
    }
}
