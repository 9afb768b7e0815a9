import Foundation
import Testing
import DeviceProtocol
import LabController
import LabService
import LabRunner
import LabStore
import LabFiles
import OOBEAgent
import TestSupport

let images = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Images").standardizedFileURL

/// A lab with every mode and every fault the reference lists.
let everyFault = """
lab: faults
tenant: { domain: contoso.onmicrosoft.com }
models:
  laptop: { manufacturer: Contoso, product: Lab Laptop, tpm: "2.0" }
  old: { manufacturer: Contoso, product: Old Box, tpm: none }
fleet:
  - { model: laptop, name: user, serial: U-1, groupTag: Users }
  - { model: laptop, name: hybrid, serial: H-1, groupTag: Hybrid }
  - { model: laptop, name: kiosk, serial: K-1, groupTag: Kiosk }
  - { model: laptop, name: preprov, serial: P-1, groupTag: Field }
  - { model: laptop, name: resealed, serial: P-2, groupTag: Field, expect: resealed }
  - { model: old, name: no-tpm, serial: K-2, groupTag: Kiosk, expect: { state: failed, errorCode: "0x800705B4", phase: esp-device-preparation } }
  - { model: laptop, name: no-dc, serial: H-2, groupTag: Hybrid, expect: { state: failed, errorCode: "0x80070774", phase: identity } }
  - { model: laptop, name: skip-dc, serial: S-1, groupTag: HybridSkip }
  - { model: laptop, name: app-timeout, serial: U-2, groupTag: Users, expect: { state: failed, errorCode: "0x81036502", phase: esp-device-setup } }
  - { model: laptop, name: blocking-app, serial: U-3, groupTag: Users, expect: { state: failed, errorCode: "0x80070643", phase: esp-device-setup } }
  - { model: laptop, name: optional-app, serial: U-4, groupTag: Users }
  - { model: laptop, name: join-error, serial: U-5, groupTag: Users, expect: { state: failed, errorCode: "0x801C0003", phase: identity } }
  - { model: laptop, name: attestation, serial: K-3, groupTag: Kiosk, expect: { state: failed, errorCode: "0x801C03EA", phase: esp-device-preparation } }
  - { model: laptop, name: reused, serial: K-4, groupTag: Kiosk, expect: { state: failed, errorCode: "0x80180014", phase: enrollment } }
  - { model: laptop, name: not-allowed, serial: U-6, groupTag: Users, preProvision: true, expect: { state: failed, errorCode: "0x80180005", phase: technician } }
  - { model: laptop, name: other-tenant, serial: U-7, groupTag: Users, expect: { state: failed, phase: oobe-pages } }
  - { model: laptop, name: flaky-network, serial: U-8, groupTag: Users }
  - { model: laptop, name: reboots, serial: U-9, groupTag: Users }
  - { model: laptop, name: no-profile, serial: N-1, expect: { state: failed, event: 815 } }
  - { model: laptop, name: unregistered, serial: N-2, registered: false, expect: { state: failed, event: 807 } }
groups:
  - { name: Users, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Users"))' }
  - { name: Hybrid, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Hybrid"))' }
  - { name: HybridSkip, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:HybridSkip"))' }
  - { name: Kiosk, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))' }
  - { name: Field, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Field"))' }
profiles:
  - { displayName: User-driven, deviceNameTemplate: "USR-%SERIAL%", assignments: [Users], outOfBoxExperienceSettings: { hideEULA: false } }
  - displayName: Hybrid
    joinType: hybrid
    domainJoinConfiguration: { activeDirectoryDomainName: corp.contoso.com, computerNameStaticPrefix: HYB- }
    assignments: [Hybrid]
  - displayName: Hybrid skip
    joinType: hybrid
    hybridAzureADJoinSkipConnectivityCheck: true
    domainJoinConfiguration: { activeDirectoryDomainName: corp.contoso.com, computerNameStaticPrefix: HYS- }
    assignments: [HybridSkip]
  - { displayName: Kiosk, deviceNameTemplate: "KSK-%SERIAL%", outOfBoxExperienceSettings: { deviceUsageType: shared }, assignments: [Kiosk] }
  - { displayName: Field, enableWhiteGlove: true, deviceNameTemplate: "FLD-%SERIAL%", assignments: [Field] }
esp:
  - { displayName: ESP, installProgressTimeoutInMinutes: 5, selectedMobileAppIds: [Company Portal, Big Suite] }
apps:
  - { displayName: Company Portal, installTime: 20s }
  - { displayName: Big Suite, installTime: 2m }
  - { displayName: Optional Tool, installTime: 10s }
  - { displayName: Teams, target: user, installTime: 30s }
policies:
  - { displayName: Wi-Fi, kind: wifi }
  - { displayName: User cert, kind: scep-certificate, target: user }
faults:
  - { devices: [no-dc], kind: unreachable-dc }
  - { devices: [skip-dc], kind: unreachable-dc }
  - { devices: [app-timeout], kind: hang, phase: esp-device-setup, step: "app:big-suite" }
  - { devices: [blocking-app], kind: app-failure, app: company-portal }
  - { devices: [optional-app], kind: app-failure, app: optional-tool }
  - { devices: [join-error], kind: error, phase: identity, step: entra-join, code: "0x801C0003" }
  - { devices: [attestation], kind: error, phase: esp-device-preparation, step: securing-hardware, code: "0x801C03EA" }
  - { devices: [reused], kind: error, phase: enrollment, code: "0x80180014" }
  - { devices: [other-tenant], kind: other-tenant }
  - { devices: [flaky-network], kind: network-drop, seconds: 40, once: true }
  - { devices: [reboots], kind: reboot, phase: esp-device-setup, step: "network:wi-fi", once: true }
"""

func run(_ text: String, root: URL = makeTemporaryDirectory("pxelab-run"), fresh: Bool = true) async throws -> (RunReport, Lab) {
    let labFile = try LabFile.parse(text, file: "lab.yaml")
    let report = try await FleetRunner(labFile: labFile, stateRoot: root,
                                       options: .init(lab: .init(imagesDirectory: images, timing: LabTiming(scale: 0)),
                                                      fresh: fresh)).run()
    return (report, try Lab(labFile: labFile, stateRoot: root))
}

@Suite("pxelab run: every mode and every fault")
struct FleetRunnerTests {
    @Test func everyDeviceEndsAsTheReferenceSays() async throws {
        let (report, lab) = try await run(everyFault)
        let results = Dictionary(uniqueKeysWithValues: report.devices.map { ($0.device, $0) })
        for result in report.devices {
            #expect(result.asExpected, "\(result.device): \(result) (expected \(result.expected))")
        }
        #expect(report.allAsExpected)
        // Modes and names.
        #expect(results["user"]?.mode == .userDriven)
        #expect(results["user"]?.deviceName == "USR-U-1")
        #expect(results["hybrid"]?.mode == .hybrid)
        #expect(results["hybrid"]?.deviceName?.hasPrefix("HYB-") == true)
        #expect(results["hybrid"]?.deviceName?.count == 15)
        #expect(results["kiosk"]?.mode == .selfDeploying)
        #expect(results["kiosk"]?.deviceName == "KSK-K-1")
        #expect(results["preprov"]?.mode == .preProvisioning)
        #expect(results["preprov"]?.result == .businessReady)
        #expect(results["resealed"]?.result == .resealed)
        // The profile skips the DC check, so the unreachable DC does not matter.
        #expect(results["skip-dc"]?.result == .businessReady)
        #expect(results["other-tenant"]?.message?.contains("belongs to another organization") == true)
        #expect(results["no-profile"]?.event == 815)
        #expect(results["unregistered"]?.event == 807)

        // Timelines are complete and ordered: sequence numbers without gaps, and the steps in order.
        for device in lab.labFile.devices {
            let events = try lab.store.events(of: device.name)
            #expect(!events.isEmpty, "\(device.name)")
            #expect(events.map(\.seq) == Array(1..<(events.count + 1)), "\(device.name)")
            #expect(events.first?.phase == .boot, "\(device.name)")
        }
        let user = try lab.store.events(of: "user").map { "\($0.phase.rawValue)/\($0.step)/\($0.status.rawValue)" }
        let order = ["boot/firmware/completed", "network/dhcp/completed", "profile/download/completed",
                     "oobe-pages/page:language/completed", "oobe-pages/page:eula/completed", "oobe-pages/page:privacy/skipped",
                     "oobe-pages/sign-in/completed", "identity/entra-join/completed", "enrollment/mdm/completed",
                     "esp-device-preparation/registering-mdm/completed", "esp-device-setup/network:wi-fi/completed",
                     "esp-device-setup/app:company-portal/completed", "esp-account-setup/certificate:user-cert/completed",
                     "esp-account-setup/app:teams/completed", "desktop/ready/completed"]
        var position = 0
        for step in order {
            guard let found = user[position...].firstIndex(of: step) else {
                Issue.record("\(step) missing or out of order in \(user)")
                break
            }
            position = found
        }
    }

    @Test func faultFollowUps() async throws {
        let (_, lab) = try await run(everyFault)
        func steps(_ device: String) throws -> [String] {
            try lab.store.events(of: device).map { "\($0.phase.rawValue)/\($0.step)/\($0.status.rawValue)" }
        }
        // A non-blocking app failure is reported and the device still reaches the desktop.
        #expect(try steps("optional-app").contains("esp-device-setup/app:optional-tool/failed"))
        // The dropped network came back: the device retried and finished.
        #expect(try steps("flaky-network").contains("network/dhcp/failed"))
        #expect(try lab.store.device(named: "flaky-network")?.lifecycle == .deployed)
        // The reboot fault rebooted the device once mid-ESP; it resumed and finished.
        let reboots = try lab.store.events(of: "reboots").filter { $0.phase == .boot && $0.step == "firmware" && $0.status == .completed }
        #expect(reboots.count == 2)
        #expect(try lab.store.device(named: "reboots")?.lifecycle == .deployed)
        // Hybrid devices reboot once to apply the domain join.
        #expect(try steps("hybrid").contains("identity/reboot/completed"))
        #expect(try steps("hybrid").filter { $0 == "boot/firmware/completed" }.count == 2)
        // The blocking app's ESP error shows the error text and the buttons the profile allows.
        let espError = try lab.store.events(of: "blocking-app").first { $0.step == "esp-error" }
        #expect(espError?.message?.contains("Setup could not be completed") == true)
        #expect(espError?.message?.contains("[buttons: retry]") == true)
        // The pre-provisioned device went through the technician phase, then the user phase.
        let preprov = try steps("preprov")
        #expect(preprov.contains("technician/provision/completed"))
        #expect(preprov.contains("technician/reseal/completed"))
        #expect(preprov.contains("esp-device-preparation/pre-provisioned/skipped"))
        #expect(preprov.last == "desktop/ready/completed")
    }
}

@Suite("pxelab run: the ESP's buttons and the service's timing")
struct ESPFollowUpTests {
    let lab = """
    lab: esp
    models: { laptop: { manufacturer: Contoso, product: Lab Laptop } }
    fleet:
      - { model: laptop, name: reset-retry, serial: R-1, onESPError: reset }
      - { model: laptop, name: use-anyway, serial: R-2, onESPError: continue }
      - { model: laptop, name: try-again, serial: R-3, onESPError: retry }
      - { model: laptop, name: walked-away, serial: R-4, expect: { state: failed, errorCode: "0x80070643" } }
    profiles: [{ displayName: All, assignments: [All devices] }]
    esp:
      - { displayName: ESP, allowDeviceResetOnInstallFailure: true, allowDeviceUseOnInstallFailure: true }
    apps: [{ displayName: Portal }]
    faults:
      - { devices: [reset-retry, try-again, walked-away], kind: app-failure, app: portal, once: true }
      - { devices: [use-anyway], kind: app-failure, app: portal }
    """

    @Test func resetRetryAndContinueAnywayAsTheProfileAllows() async throws {
        let (report, lab) = try await run(self.lab)
        #expect(report.allAsExpected, "\(report.devices.map { "\($0.device): \($0.result) \($0.errorCode?.description ?? "")" })")
        func steps(_ device: String) throws -> [String] {
            try lab.store.events(of: device).map { "\($0.step)/\($0.status.rawValue)\($0.message.map { ": " + $0 } ?? "")" }
        }
        // Reset device: the device is wiped and goes through OOBE again; the app then installs.
        let reset = try steps("reset-retry")
        #expect(reset.contains("esp-error/completed: Reset device pressed"))
        #expect(reset.filter { $0.hasPrefix("firmware/completed") }.count == 2)
        #expect(reset.contains("app:portal/completed"))
        // Continue anyway: the desktop with the app missing.
        let use = try steps("use-anyway")
        #expect(use.contains("esp-error/completed: Continue anyway pressed"))
        #expect(use.last?.hasPrefix("ready/completed") == true)
        #expect(!use.contains("app:portal/completed"))
        // Try again: a reboot, and the install succeeds.
        #expect(try steps("try-again").contains("esp-error/completed: Try again pressed"))
        // Nobody pressed anything: the device stays on the error.
        #expect(try lab.store.device(named: "walked-away")?.lifecycle == .failed)
    }

    @Test func aDeviceWaitsWhileItsProfileIsBeingAssigned() async throws {
        let text = """
        lab: slow
        tenant: { assignmentDelay: 1s }
        models: { laptop: { manufacturer: Contoso, product: Lab Laptop } }
        fleet: [{ model: laptop, name: patient, serial: W-1 }]
        profiles: [{ displayName: All, assignments: [All devices] }]
        """
        let (report, lab) = try await run(text)
        #expect(report.devices.first?.result == .businessReady)
        let events = try lab.store.events(of: "patient").filter { $0.phase == .profile }
        #expect(events.contains { $0.status == .progress && $0.message?.contains("assignment in progress") == true })
        #expect(events.last?.status == .completed)
    }
}

@Suite("pxelab run: a device keeps the profile it enrolled with")
struct CachedProfileTests {
    @Test func profileEditsReachAnEnrolledDeviceOnlyAfterAReset() async throws {
        let root = makeTemporaryDirectory("pxelab-run")
        let text = """
        lab: cache
        models: { laptop: { manufacturer: Contoso, product: Lab Laptop } }
        fleet: [{ model: laptop, name: retry, serial: C-1, expect: { state: failed } }]
        profiles: [{ displayName: All, deviceNameTemplate: "OLD-%SERIAL%", assignments: [All devices] }]
        esp: [{ displayName: ESP }]
        apps: [{ displayName: Portal }]
        faults: [{ devices: [retry], kind: app-failure, app: portal, once: true }]
        """
        let (first, lab) = try await run(text, root: root)
        #expect(first.devices.first?.result == .failed)
        // The admin renames the profile's template while the device sits on its ESP error.
        try lab.autopilot.configure { $0.profiles[0].deviceNameTemplate = "NEW-%SERIAL%" }

        // The device retries at its next boot: it is enrolled, so it uses its cached profile.
        let (second, again) = try await run(text, root: root, fresh: false)
        #expect(second.devices.first?.result == .businessReady)
        #expect(second.devices.first?.deviceName == "OLD-C-1")
        let profileEvents = try again.store.events(of: "retry").filter { $0.phase == .profile }
        #expect(profileEvents.last?.status == .skipped)
        #expect(profileEvents.last?.message?.contains("cached profile") == true)
    }
}
