import Foundation
import Testing
import DeviceProtocol
import LabService
import LabRunner
import LabStore
import LabFiles
import TestSupport

/// A Windows 11 compliance baseline (Secure Boot), a stricter one for the pilot profile's devices
/// (TPM; its group's rule names the enrollment profile), and
/// Conditional Access that requires a compliant device; devices with and without Secure Boot.
let complianceLab = """
lab: compliance
tenant: { domain: contoso.onmicrosoft.com }
models:
  secure: { manufacturer: Contoso, product: Secure Laptop, firmware: uefi, secureBoot: true, tpm: "2.0" }
  open: { manufacturer: Contoso, product: Open Laptop, firmware: uefi, secureBoot: false, tpm: "2.0" }
  bare: { manufacturer: Contoso, product: Bare Laptop, firmware: uefi, secureBoot: true, tpm: none }
fleet:
  - { model: secure, name: user-secure, serial: C-1, groupTag: Users }
  - { model: open, name: user-open, serial: C-2, groupTag: Users, expect: { state: failed, phase: esp-account-setup } }
  - { model: open, name: kiosk-open, serial: C-3, groupTag: Kiosk }
  - { model: bare, name: pilot-bare, serial: C-4, groupTag: Pilot, expect: { state: failed, phase: esp-account-setup } }
  - { model: bare, name: user-bare, serial: C-5, groupTag: Users }
groups:
  - { name: Users, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Users"))' }
  - { name: Pilot, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Pilot"))' }
  - { name: Kiosk, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))' }
  - { name: Pilot profile devices, rule: '(device.enrollmentProfileName -eq "Pilot")' }
profiles:
  - { displayName: User-driven, assignments: [Users] }
  - { displayName: Pilot, assignments: [Pilot] }
  - { displayName: Kiosk, outOfBoxExperienceSettings: { deviceUsageType: shared }, assignments: [Kiosk] }
esp:
  - { displayName: ESP }
apps:
  - { displayName: Teams, target: user, installTime: 30s }
compliance:
  - { displayName: Windows 11 baseline, secureBootEnabled: true, bitLockerEnabled: false }
  - { displayName: Pilot TPM, tpmRequired: true, assignments: [Pilot profile devices] }
conditionalAccess:
  - { displayName: Require compliant device, state: enabled, grantControls: { builtInControls: [compliantDevice] } }
"""

@Suite("compliance policies and Conditional Access, from the health devices report")
struct ComplianceTests {
    @Test func aDeviceWithoutSecureBootIsNoncompliantAndConditionalAccessBlocksItsUser() async throws {
        let (report, lab) = try await run(complianceLab)
        let results = Dictionary(uniqueKeysWithValues: report.devices.map { ($0.device, $0) })
        for result in report.devices {
            #expect(result.asExpected, "\(result.device): \(result) (expected \(result.expected))")
        }
        #expect(results["user-secure"]?.result == .businessReady)
        // Self-deploying has no user to block: the kiosk deploys, and Intune shows it noncompliant.
        #expect(results["kiosk-open"]?.result == .businessReady)
        #expect(results["user-bare"]?.result == .businessReady, "the TPM policy is the pilot group's only")

        let blocked = try #require(results["user-open"])
        #expect(blocked.message?.contains("AADSTS53000: Device is not in required device state: compliant. "
                                          + "Conditional Access policy 'Require compliant device' requires a compliant device, "
                                          + "and the device is noncompliant: Secure Boot is off (required by 'Windows 11 baseline')") == true,
                "\(blocked.message ?? "")")
        #expect(results["pilot-bare"]?.message?.contains("noncompliant: no TPM (required by 'Pilot TPM')") == true)
        // The user's items were never installed: account setup stopped at Entra's refusal.
        let steps = try lab.store.events(of: "user-open").map { "\($0.phase.rawValue)/\($0.step)/\($0.status.rawValue)" }
        #expect(steps.contains("esp-account-setup/conditional-access/failed"), "\(steps)")
        #expect(!steps.contains { $0.hasPrefix("esp-account-setup/app:teams") }, "\(steps)")
        let enrolled = try lab.store.events(of: "user-open").first { $0.phase == .enrollment && $0.status == .completed }
        #expect(enrolled?.message?.hasSuffix("noncompliant: Secure Boot is off (required by 'Windows 11 baseline')") == true)

        // Intune's view: each managed device's compliance from the health it reported.
        let states = Dictionary(uniqueKeysWithValues: try lab.managedDevices().map { ($0.device, $0.compliance) })
        #expect(states["user-secure"] == DeviceCompliance(state: .compliant))
        #expect(states["kiosk-open"]?.state == .noncompliant)
        #expect(states["user-bare"] == DeviceCompliance(state: .compliant))
        #expect(states["pilot-bare"]?.reasons == ["no TPM (required by 'Pilot TPM')"])
    }

    @Test func reportOnlyConditionalAccessBlocksNobodyAndAPolicyChangeIsEvaluatedAgain() async throws {
        let reportOnly = complianceLab.replacingOccurrences(of: "state: enabled", with: "state: enabledForReportingButNotEnforced")
            .replacingOccurrences(of: "expect: { state: failed, phase: esp-account-setup }", with: "expect: business-ready")
        let (report, lab) = try await run(reportOnly)
        #expect(report.allAsExpected, "\(report.devices.filter { !$0.asExpected })")
        #expect(try lab.managedDevices().first { $0.device == "user-open" }?.compliance.state == .noncompliant)

        // Without the baseline, the same reported health is compliant.
        try lab.autopilot.configure { $0.compliancePolicies.removeAll { $0.displayName == "Windows 11 baseline" } }
        #expect(try lab.managedDevices().first { $0.device == "user-open" }?.compliance.state == .compliant)
    }
}
