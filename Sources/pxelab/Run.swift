import ArgumentParser
import Foundation
import LabController
import LabRunner
import LabTopology

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a lab: every device network-boots and goes through Autopilot to its end state.",
        discussion: """
        Starts the lab's endpoint on a loopback port, defines the fleet through libvirt and powers \
        every device on. On the embedded default each device is a virtual device whose agent runs in \
        pxelab and speaks HTTP to the endpoint; with --libvirt qemu:///system each is a real QEMU VM \
        that network-boots through iPXE (http://10.0.2.2:PORT/boot.ipxe on QEMU's user-mode network) \
        and runs the agent in its own Linux guest (build it first: make images). pxelab drives each one \
        through the OOBE its profile calls for (user-driven, hybrid, \
        self-deploying, pre-provisioning), the ESP and any injected faults. Shows progress by phase, \
        then a table of how each device ended, and writes the event log. Exits with 0 only when every \
        device ended as the lab file expects (`expect:` on fleet entries; business-ready by default).
        """
    )

    @Argument(help: "The lab file.")
    var file: String

    @Option(name: .customLong("state-dir"), help: "Where lab state lives (default: .pxelab, or $PXELAB_STATE_DIR).")
    var stateDirectory: String?

    @OptionGroup var host: SessionOptions

    @Flag(help: "Print the report as JSON instead of a table.")
    var json = false

    @Flag(name: .customLong("resume"), help: "Keep each device's state from the last run instead of starting factory-fresh.")
    var resume = false

    @Option(help: "Run only the scenario step with this name (repeatable).")
    var only: [String] = []

    @Option(help: "Run the scenario from the step with this name on.")
    var from: String?

    func run() async throws {
        let topology = try LabOptions.load(file)
        let root = stateDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? LabDirectory.defaultRoot
        let interactive = isatty(STDERR_FILENO) == 1
        let show: @Sendable (String) -> Void = { line in
            let text = interactive ? "\r\u{1B}[2K" + line : line + "\n"
            FileHandle.standardError.write(Data(text.utf8))
        }
        let options = FleetRunner.Options(session: try host.session(for: topology),
                                          fresh: !resume, progress: json ? nil : show, progressInterval: interactive ? 0.2 : 1,
                                          only: only.isEmpty ? nil : Set(only), from: from)
        let report: RunReport
        do {
            report = try await Interruption.cancellable {
                try await FleetRunner(topology: topology, stateRoot: root, options: options).run()
            }
        } catch {
            printError("pxelab run: \(error)")
            throw ExitCode.failure
        }
        if interactive && !json { FileHandle.standardError.write(Data("\n".utf8)) }
        if json {
            try printJSON(report)
        } else {
            print(RunTable.render(report))
        }
        if !report.allAsExpected { throw ExitCode.failure }
    }
}

/// The summary table of a run.
enum RunTable {
    static func render(_ report: RunReport) -> String {
        var table = Table("DEVICE", "MODE", "RESULT", "ERROR", "NAME", "BOOT", "PROFILE", "OOBE", "JOIN", "ENROLL", "ESP",
                          "TOTAL", "EXPECTED")
        func seconds(_ result: DeviceResult, _ phases: [String]) -> String {
            let total = phases.compactMap { result.phaseSeconds[$0] }.reduce(0, +)
            return phases.contains(where: { result.phaseSeconds[$0] != nil }) ? String(format: "%.2fs", total) : "-"
        }
        for result in report.devices {
            let outcome = result.result + (result.event.map { " (\($0))" } ?? "")
            table.add(result.device, result.mode, outcome, result.errorCode ?? "", result.deviceName ?? "",
                      seconds(result, ["boot", "network"]), seconds(result, ["profile"]),
                      seconds(result, ["oobe-pages", "technician"]), seconds(result, ["identity"]),
                      seconds(result, ["enrollment"]),
                      seconds(result, ["esp-device-preparation", "esp-device-setup", "esp-account-setup"]),
                      String(format: "%.2fs", result.totalSeconds), result.asExpected ? "yes" : "NO: \(result.expected)")
        }
        var stepLines: [String] = []
        for step in report.steps {
            stepLines.append("\(step.passed ? "PASS" : "FAIL") \(step.index). \(step.name.map { "[\($0)] " } ?? "")\(step.summary)"
                             + String(format: " (%.2fs)", step.seconds))
            for detail in step.details where !step.passed || detail.contains("FAILED") || !detail.contains(": ok ") {
                stepLines.append("       \(detail)")
            }
        }
        let ready = report.devices.filter { $0.result == "business-ready" }.count
        let failed = report.devices.filter { $0.result == "failed" }.count
        let unexpected = report.devices.filter { !$0.asExpected }.count
        var lines = [table.render(), ""]
        if !stepLines.isEmpty { lines += ["scenario:"] + stepLines + [""] }
        for result in report.devices where result.result == "failed" {
            lines.append("  \(result.device): \(result.errorCode ?? "no code") in \(result.failedPhase ?? "?"): \(result.message ?? "")")
        }
        let failedSteps = report.steps.filter { !$0.passed }.count
        lines.append("lab '\(report.lab)': \(report.devices.count) devices, \(ready) business-ready, \(failed) failed, "
                     + "\(unexpected) not as expected" + (report.steps.isEmpty ? "" : ", \(report.steps.count - failedSteps)/\(report.steps.count) steps passed")
                     + "; \(report.events) events in \(String(format: "%.2f", report.seconds)) s")
        lines.append("event log: \(report.eventLog)")
        return lines.joined(separator: "\n")
    }
}
