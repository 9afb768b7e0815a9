public import Foundation
public import LabService
import DeviceProtocol
import LibXML

/// A run as one self-contained HTML page (styles inline, no scripts, no network fetches): the
/// verdict, a swimlane time line per device (phases as coloured bars, failures and retries
/// marked, times on hover), the summary table, the scenario steps with what each checked, and
/// the evidence for every failure. Built with libxml2, which escapes every text.
public enum HTMLReport {
    public static func render(_ runs: [RunReport], generated: Date = Date()) -> String {
        let document = XMLDocument(root: "html")
        let html = document.root
        html.setAttribute("lang", "en")
        let head = html.append("head")
        head.append("meta", attributes: ["charset": "utf-8"])
        head.append("meta", attributes: ["name": "viewport", "content": "width=device-width, initial-scale=1"])
        head.append("title", text: "pxelab report: " + runs.map(\.lab).joined(separator: ", "))
        head.append("style", text: ReportStyle.css)
        let body = html.append("body")
        let passed = runs.allSatisfy(\.allAsExpected)
        let header = body.append("header")
        header.append("h1", text: "pxelab run report")
        header.append("span", text: passed ? "PASSED" : "FAILED", attributes: ["class": passed ? "verdict pass" : "verdict fail"])
        header.append("p", text: "\(runs.count) lab file\(runs.count == 1 ? "" : "s"), generated \(ISO8601.format(generated))",
                      attributes: ["class": "muted"])
        if runs.count > 1 {
            let index = body.append("ul", attributes: ["class": "index"])
            for run in runs {
                let item = index.append("li")
                item.append("a", text: run.lab, attributes: ["href": "#lab-\(run.lab)"])
                item.append("span", text: run.allAsExpected ? " passed" : " failed",
                            attributes: ["class": run.allAsExpected ? "pass-text" : "fail-text"])
            }
        }
        for run in runs { section(for: run, in: body) }
        return document.serializedAsHTML()
    }

    private static func section(for run: RunReport, in body: XMLElement) {
        let section = body.append("section", attributes: ["id": "lab-\(run.lab)"])
        let title = section.append("h2", text: "Lab \(run.lab) ")
        title.append("span", text: run.allAsExpected ? "passed" : "failed",
                     attributes: ["class": run.allAsExpected ? "verdict pass small" : "verdict fail small"])
        if let description = run.description { section.append("p", text: description) }
        let ready = run.devices.filter { $0.result == .businessReady }.count
        let failed = run.devices.filter { $0.result == .failed }.count
        let unexpected = run.devices.filter { !$0.asExpected }.count
        let stepsPassed = run.steps.filter(\.passed).count
        let stats = section.append("ul", attributes: ["class": "stats"])
        for (label, value) in [("lab file", run.file), ("started", ISO8601.format(run.started)),
                               ("devices", "\(run.devices.count): \(ready) business-ready, \(failed) failed, \(unexpected) not as expected"),
                               ("steps", run.steps.isEmpty ? "no scenario" : "\(stepsPassed)/\(run.steps.count) passed"),
                               ("events", String(run.events)), ("duration", String(format: "%.2f s", run.seconds)),
                               ("event log", run.eventLog)] {
            let item = stats.append("li")
            item.append("b", text: label)
            item.append("span", text: value)
        }
        section.append("h3", text: "Time line")
        TimelineRenderer.render(run.devices, into: section)
        section.append("h3", text: "Devices")
        summaryTable(run.devices, into: section)
        if !run.steps.isEmpty {
            section.append("h3", text: "Scenario")
            steps(run.steps, into: section)
        }
        let failures = run.devices.filter { $0.result == .failed || !$0.asExpected }
        if !failures.isEmpty {
            section.append("h3", text: "Failures and surprises")
            for device in failures {
                let block = section.append("div", attributes: ["class": "evidence"])
                block.append("h4", text: device.device + (device.errorCode.map { " \($0)" } ?? "")
                             + (device.failedPhase.map { " in \($0.rawValue)" } ?? "") + (device.asExpected ? " (as expected)" : " (NOT as expected)"))
                if let message = device.message { block.append("p", text: message) }
                block.append("pre", text: device.timeline.lastEvents.joined(separator: "\n"))
            }
        }
    }

    private static func summaryTable(_ devices: [DeviceResult], into parent: XMLElement) {
        let table = parent.append("table", attributes: ["class": "summary"])
        let head = table.append("thead").append("tr")
        for column in ["Device", "Model", "Platform", "Mode", "Result", "Error", "Failed in", "Name", "Total", "Expected", ""] {
            head.append("th", text: column)
        }
        let rows = table.append("tbody")
        for device in devices {
            let row = rows.append("tr", attributes: ["class": device.asExpected ? "" : "unexpected"])
            row.append("td", text: device.device)
            row.append("td", text: device.model)
            row.append("td", text: device.platform)
            row.append("td", text: device.mode?.rawValue ?? "none")
            row.append("td", text: device.result.displayName, attributes: ["class": "outcome outcome-\(device.result.rawValue)"])
            row.append("td", text: device.errorCode?.description ?? "", attributes: ["class": "code"])
            row.append("td", text: device.failedPhase?.rawValue ?? "")
            row.append("td", text: device.deviceName ?? "")
            row.append("td", text: String(format: "%.2f s", device.totalSeconds), attributes: ["class": "number"])
            row.append("td", text: device.expected)
            row.append("td", text: device.asExpected ? "✔" : "✘", attributes: ["class": device.asExpected ? "pass-text" : "fail-text"])
        }
    }

    private static func steps(_ steps: [StepResult], into parent: XMLElement) {
        let list = parent.append("ol", attributes: ["class": "steps"])
        for step in steps {
            let item = list.append("li", attributes: ["value": String(step.index)])
            let details = item.append("details")
            if !step.passed { details.setAttribute("open", "open") }
            let summary = details.append("summary")
            summary.append("span", text: step.passed ? "PASS" : "FAIL", attributes: ["class": step.passed ? "badge pass" : "badge fail"])
            summary.append("span", text: " " + (step.name.map { "[\($0)] " } ?? "") + step.summary)
            summary.append("span", text: String(format: "  %.2f s, line %d", step.seconds, step.line), attributes: ["class": "muted"])
            let checks = details.append("ul", attributes: ["class": "checks"])
            if step.checks.isEmpty { checks.append("li", text: "no checks", attributes: ["class": "muted"]) }
            for check in step.checks {
                let kind = check.passed.map { $0 ? "ok" : "failed" } ?? "note"
                checks.append("li", text: check.line, attributes: ["class": "check-\(kind)"])
            }
        }
    }
}
