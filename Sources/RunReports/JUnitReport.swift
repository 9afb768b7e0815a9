public import Foundation
public import LabService
import DeviceProtocol
import LibXML

/// A run as JUnit XML, the format Jenkins, GitLab and GitHub test views read: a `testsuite` per
/// lab file and a `testcase` per device per scenario step (per device for a lab without a
/// scenario). A failure carries the failed checks, the device's error code and its last events.
public enum JUnitReport {
    public static func render(_ runs: [RunReport], hostname: String = ProcessInfo.processInfo.hostName) -> String {
        let document = XMLDocument(root: "testsuites")
        let root = document.root
        var totals = (tests: 0, failures: 0, seconds: 0.0)
        for run in runs {
            let cases = testCases(of: run)
            let failures = cases.filter { $0.failure != nil }.count
            totals.tests += cases.count
            totals.failures += failures
            totals.seconds += run.seconds
            let suite = root.append("testsuite")
            suite.setAttributes(["name": run.lab, "tests": String(cases.count), "failures": String(failures), "errors": "0",
                                 "skipped": "0", "time": seconds(run.seconds), "timestamp": timestamp(run.started),
                                 "hostname": hostname, "file": run.file])
            let properties = suite.append("properties")
            for (name, value) in [("lab file", run.file), ("description", run.description ?? ""), ("event log", run.eventLog),
                                  ("events", String(run.events))] where !value.isEmpty {
                properties.append("property", attributes: ["name": name, "value": value])
            }
            for testCase in cases {
                let element = suite.append("testcase")
                element.setAttributes(["classname": testCase.className, "name": testCase.name, "time": seconds(testCase.seconds),
                                       "file": run.file])
                if let line = testCase.line { element.setAttribute("line", String(line)) }
                if let failure = testCase.failure {
                    let node = element.append("failure", text: failure.text)
                    node.setAttributes(["message": failure.message, "type": failure.type])
                }
                if !testCase.output.isEmpty { element.append("system-out", text: testCase.output) }
            }
        }
        root.setAttributes(["name": "pxelab", "tests": String(totals.tests), "failures": String(totals.failures), "errors": "0",
                            "time": seconds(totals.seconds)])
        return document.serialized(declaration: true)
    }

    /// One JUnit test case.
    struct TestCase {
        var className: String
        var name: String
        var seconds: Double
        var line: Int?
        var failure: (message: String, type: String, text: String)?
        var output: String
    }

    static func testCases(of run: RunReport) -> [TestCase] {
        let devices = Dictionary(run.devices.map { ($0.device, $0) }, uniquingKeysWith: { first, _ in first })
        var cases: [TestCase] = []
        for step in run.steps {
            let className = "\(run.lab).\(String(format: "%02d", step.index))-\(slug(step.name ?? step.summary))"
            let general = step.checks.filter { $0.device == nil }
            let failedGeneral = general.filter { $0.passed == false }
            // A step on no device, or a step that failed as a whole, is a test case of its own.
            if step.devices.isEmpty || !failedGeneral.isEmpty {
                cases.append(TestCase(className: className, name: step.summary, seconds: step.seconds, line: step.line,
                                      failure: failedGeneral.isEmpty ? nil
                                          : (failedGeneral.map(\.text).joined(separator: "; "), "step-failed", lines(general)),
                                      output: lines(general)))
            }
            for name in step.devices {
                let checks = step.checks.filter { $0.device == name }
                let failed = checks.filter { $0.passed == false }
                let device = devices[name]
                var failure: (String, String, String)?
                if !failed.isEmpty {
                    failure = (failed.map(\.text).joined(separator: "; "), device?.errorCode?.description ?? "expectation-failed",
                               lines(checks) + "\n\n" + evidence(of: device))
                }
                cases.append(TestCase(className: className, name: name, seconds: step.seconds, line: step.line,
                                      failure: failure, output: lines(checks)))
            }
        }
        // The end state of each device the lab file sets an expectation for (every device without a scenario).
        for device in run.devices where device.expected != "-" {
            var failure: (String, String, String)?
            if !device.asExpected {
                let got = device.result.rawValue + (device.errorCode.map { " \($0)" } ?? "")
                    + (device.failedPhase.map { " in \($0.rawValue)" } ?? "")
                failure = ("expected \(device.expected), got \(got)", device.errorCode?.description ?? "unexpected-result", evidence(of: device))
            }
            cases.append(TestCase(className: "\(run.lab).\(run.steps.isEmpty ? "deploy" : "end-state")", name: device.device,
                                  seconds: device.totalSeconds, line: nil, failure: failure,
                                  output: device.result.rawValue + (device.deviceName.map { " as \($0)" } ?? "")
                                      + String(format: " in %.2f s (expected %@)", device.totalSeconds, device.expected)
                                      + "\nplatform: " + device.platform))
        }
        return cases
    }

    /// What a failure report needs to be read without the lab: the error and the last events.
    static func evidence(of device: DeviceResult?) -> String {
        guard let device else { return "" }
        var text = "\(device.device): \(device.result.rawValue)"
        if let code = device.errorCode { text += " \(code)" + (device.failedPhase.map { " in \($0.rawValue)" } ?? "") }
        if let message = device.message { text += ": \(message)" }
        if !device.timeline.lastEvents.isEmpty { text += "\nlast events:\n  " + device.timeline.lastEvents.joined(separator: "\n  ") }
        return text
    }

    private static func lines(_ checks: [StepCheck]) -> String { checks.map(\.line).joined(separator: "\n") }

    static func slug(_ text: String) -> String {
        let lowered = text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(lowered).split(separator: "-").joined(separator: "-").prefix(60).description
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// JUnit's timestamp: ISO 8601 without a time zone (UTC here).
    private static func timestamp(_ date: Date) -> String {
        String(ISO8601.format(date).prefix(19))
    }
}

extension XMLElement {
    /// Sets several attributes, in a stable (sorted) order.
    func setAttributes(_ attributes: [String: String]) {
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) { setAttribute(name, value) }
    }
}
