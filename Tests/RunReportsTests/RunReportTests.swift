import Foundation
import Testing
import LabRunner
import LabService
import LabFiles
import LibXML
@testable import RunReports
import TestSupport

let images = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Images").standardizedFileURL

/// A lab whose scenario passes some checks and fails others on purpose, so that reports show both.
let mixedLab = """
lab: reports
description: A lab for report tests <with markup & quotes "in" it>.
tenant: { domain: contoso.onmicrosoft.com }
models:
  laptop: { manufacturer: Contoso, product: Lab Laptop, tpm: "2.0" }
  old: { manufacturer: Contoso, product: Old Box, firmware: bios, tpm: none }
fleet:
  - { model: laptop, name: laptop-1, serial: R-1, groupTag: Users }
  - { model: laptop, name: laptop-2, serial: R-2, groupTag: Users }
  - { model: old, name: kiosk-old, serial: R-3, groupTag: Kiosk }
groups:
  - { name: Users, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Users"))' }
  - { name: Kiosk, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))' }
profiles:
  - { displayName: Users, deviceNameTemplate: "USR-%SERIAL%", assignments: [Users] }
  - { displayName: Kiosk, deviceNameTemplate: "KSK-%SERIAL%", outOfBoxExperienceSettings: { deviceUsageType: shared }, assignments: [Kiosk] }
scenario:
  - name: deploy
    deploy: all
  - name: users-ready
    expect: { group: Users }
    state: business-ready
  - name: kiosk-wrongly-expected-ready
    expect: kiosk-old
    state: business-ready
  - name: reset
    reset: laptop-1
    remote: true
  - assignProfile: Users
    groups: [Users, Kiosk]
"""

func runMixedLab() async throws -> RunReport {
    try await FleetRunner(labFile: try LabFile.parse(mixedLab, file: "reports.yaml"), stateRoot: makeTemporaryDirectory("pxelab-reports"),
                          options: .init(lab: .init(imagesDirectory: images, timing: LabTiming(scale: 0)))).run()
}

@Suite("run reports")
struct RunReportTests {
    @Test func junitHasATestCasePerDevicePerStepAndFailuresCarryTheEvidence() async throws {
        let report = try await runMixedLab()
        #expect(!report.allAsExpected)
        let xml = JUnitReport.render([report], hostname: "lab-host")
        let document = try XMLDocument(parsing: xml, source: "junit.xml")
        #expect(document.root.name == "testsuites")
        let suite = try #require(document.root.child(named: "testsuite"))
        #expect(suite.attribute("name") == "reports")
        let cases = suite.children(named: "testcase")
        // deploy: 3 devices, users-ready: 2, kiosk: 1, reset: 1, assignProfile: 1 (no device).
        #expect(cases.count == 8)
        #expect(suite.attribute("tests") == "8")
        #expect(suite.attribute("failures") == "1")
        #expect(document.root.attribute("failures") == "1")
        let failed = try #require(cases.first { $0.child(named: "failure") != nil })
        #expect(failed.attribute("classname") == "reports.03-kiosk-wrongly-expected-ready")
        #expect(failed.attribute("name") == "kiosk-old")
        let failure = try #require(failed.child(named: "failure"))
        #expect(failure.attribute("type") == "0x800705B4")
        #expect(failure.attribute("message")?.contains("state business-ready (is failed)") == true)
        #expect(failure.text.contains("last events:"))
        #expect(failure.text.contains("esp-device-preparation/securing-hardware failed 0x800705B4"))
        let names = Set(cases.filter { $0.attribute("classname") == "reports.01-deploy" }.compactMap { $0.attribute("name") })
        #expect(names == ["laptop-1", "laptop-2", "kiosk-old"])
        #expect(cases.contains { $0.attribute("classname") == "reports.05-assign-users-to-users-kiosk" })
        #expect(cases.allSatisfy { $0.attribute("file") == "reports.yaml" && $0.attribute("time") != nil })
    }

    @Test func htmlIsOneSelfContainedPageWithASwimlanePerDevice() async throws {
        let report = try await runMixedLab()
        let html = HTMLReport.render([report])
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // Self-contained: nothing to fetch, nothing to run.
        for forbidden in ["<script", "<link", "src=", "http://", "https://", "@import", "url("] {
            #expect(!html.contains(forbidden), "the report contains \(forbidden)")
        }
        // The description is escaped, not interpreted.
        #expect(html.contains("&lt;with markup &amp; quotes"))
        // A lane per device, with a bar per phase and the failure marked with its code.
        for device in ["laptop-1", "laptop-2", "kiosk-old"] { #expect(html.contains(">\(device)</div>")) }
        #expect(html.contains("class=\"span ph-esp-device-preparation\""))
        #expect(html.contains("class=\"mark mark-failed\" title=\""))
        #expect(html.contains("esp-device-preparation/securing-hardware 0x800705B4"))
        // Each device's firmware, Secure Boot and TPM, from its model.
        #expect(html.contains("<td>UEFI, Secure Boot on, TPM 2.0</td>") && html.contains("<td>BIOS, no TPM</td>"))
        #expect(html.contains("class=\"mark mark-flow\""))
        // Steps with pass and fail, the failed one open.
        #expect(html.contains(">FAIL<") && html.contains(">PASS<"))
        #expect(html.contains("<details open"))
        #expect(html.contains("FAILED state business-ready (is failed)"))
        // The lab did not pass, and says so.
        #expect(html.contains("class=\"verdict fail\""))
    }

    @Test func severalLabFilesMakeOneReport() async throws {
        let first = try await runMixedLab()
        var second = first
        second.lab = "reports-again"
        let xml = JUnitReport.render([first, second])
        let document = try XMLDocument(parsing: xml)
        #expect(document.root.children(named: "testsuite").count == 2)
        #expect(document.root.attribute("tests") == "16")
        let html = HTMLReport.render([first, second])
        #expect(html.contains("href=\"#lab-reports-again\""))
    }

    @Test func ticksAreRoundNumbers() {
        #expect(TimelineRenderer.ticks(upTo: 9.3) == [0, 2, 4, 6, 8])
        let small = TimelineRenderer.ticks(upTo: 0.05)
        #expect(small.count == 6 && zip(small, [0, 0.01, 0.02, 0.03, 0.04, 0.05]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(TimelineRenderer.ticks(upTo: 140) == [0, 20, 40, 60, 80, 100, 120, 140])
    }
}
