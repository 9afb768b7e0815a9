import ArgumentParser
import DeviceProtocol
import Foundation
import LabRunner
import LabService
import LabFiles
import RunReports

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run labs: every device network-boots and goes through Autopilot; scenarios check what happens.",
        discussion: """
        Starts the lab's endpoint on a loopback port (with the live dashboard at /), defines the fleet \
        through libvirt and powers every device on. On the embedded default each device is a virtual \
        device whose agent runs in pxelab and speaks HTTP to the endpoint; with --libvirt qemu:///system \
        each is a real QEMU VM that network-boots through iPXE (http://10.0.2.2:PORT/boot.ipxe on QEMU's \
        user-mode network) and runs the agent in its own Linux guest (build it first: make images). \
        pxelab drives each one through the OOBE its profile calls for (user-driven, hybrid, \
        self-deploying, pre-provisioning), the ESP and any injected faults. A lab with a scenario runs \
        its steps in order and checks each step's expectations. Shows progress by phase, then a table \
        of how each device ended, and writes the event log; --junit, --report and --json write the \
        results for CI test views, people and machines. Several lab files run one after the other \
        with one combined result. Exits with 0 only when every device ended as its lab file expects \
        and every scenario step passed.
        """
    )

    @Argument(help: "The lab files, run one after the other.")
    var files: [String]

    @Option(name: .customLong("state-dir"), help: "Where lab state lives (default: .pxelab, or $PXELAB_STATE_DIR).")
    var stateDirectory: String?

    @OptionGroup var host: HostOptions

    @Flag(help: "Print the results as JSON instead of a table (an object for one lab file, a list for several).")
    var json = false

    @Option(name: .customLong("junit"), help: "Write JUnit XML here: a test case per device per scenario step.")
    var junitFile: String?

    @Option(name: .customLong("report"), help: "Write a self-contained HTML report here: time lines, devices, steps.")
    var reportFile: String?

    @Flag(help: "Leave the (last) lab up afterwards: devices stay as they ended, the endpoint and dashboard keep serving until Ctrl-C.")
    var keep = false

    @Flag(name: .customLong("resume"), help: "Keep each device's state from the last run instead of starting factory-fresh.")
    var resume = false

    @Option(help: "Run only the scenario step with this name (repeatable).")
    var only: [String] = []

    @Option(help: "Run the scenario from the step with this name on.")
    var from: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one lab file") }
    }

    func run() async throws {
        let labFiles = try files.map(LabOptions.load)
        let root = stateDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? LabDirectory.defaultRoot
        let interactive = isatty(STDERR_FILENO) == 1
        let show: @Sendable (String) -> Void = { line in
            let text = interactive ? "\r\u{1B}[2K" + line : line + "\n"
            FileHandle.standardError.write(Data(text.utf8))
        }
        let opened: @Sendable (RunningLab) -> Void = { running in
            // The admin token goes in the fragment, which the browser never sends; only on a terminal.
            let fragment = interactive ? "#token=\(running.endpoint.administratorToken)" : ""
            show("lab '\(running.lab.labFile.lab)': dashboard at http://127.0.0.1:\(running.port)/\(fragment)"
                 + (interactive ? "" : " (admin token in \(running.lab.directory.path("admin.token").path))"))
            if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        }
        var reports: [RunReport] = []
        // A signal stops the lab file it comes in, and the ones after it are not run.
        for (index, labFile) in labFiles.enumerated() where !Interruption.requested {
            let options = FleetRunner.Options(lab: try host.options(for: labFile),
                                              fresh: !resume, progress: json ? nil : show, progressInterval: interactive ? 0.2 : 1,
                                              only: only.isEmpty ? nil : Set(only), from: from, opened: opened)
            let runner = FleetRunner(labFile: labFile, stateRoot: root, options: options)
            let holdLab = keep && index == labFiles.count - 1
            do {
                if holdLab {
                    let (report, running) = try await Interruption.cancellable { try await runner.runKeepingLab() }
                    reports.append(report)
                    try finish(reports, interactive: interactive)
                    // Stopped during the run: the lab is not kept (the signal that said so is spent).
                    if !Interruption.requested {
                        FileHandle.standardError.write(Data(("lab '\(labFile.lab)' kept up: dashboard at http://127.0.0.1:\(running.port)/"
                                                             + "; Ctrl-C to power its devices off and stop\n"
                                                             + running.redfish.announcement(port: running.redfishPort, lab: running.lab) + "\n").utf8))
                        await Interruption.wait()
                    }
                    try await running.close()
                } else {
                    reports.append(try await Interruption.cancellable { try await runner.run() })
                    if interactive && !json { FileHandle.standardError.write(Data("\n".utf8)) }
                }
            } catch {
                printError("pxelab run \(labFile.source): \(error)")
                throw ExitCode.failure
            }
        }
        // With --keep the last lab's results were printed before it was kept up.
        if !keep || reports.count < labFiles.count { try finish(reports, interactive: interactive) }
        if !reports.allSatisfy(\.allAsExpected) { throw ExitCode.failure }
    }

    /// Prints the results and writes the report files.
    private func finish(_ reports: [RunReport], interactive: Bool) throws {
        if json {
            if reports.count == 1 { try printJSON(reports[0]) } else { try printJSON(reports) }
        } else {
            print(reports.map(RunTable.render).joined(separator: "\n\n"))
            if reports.count > 1 {
                let passed = reports.filter(\.allAsExpected).count
                print("\n\(passed)/\(reports.count) lab files passed: "
                      + reports.map { "\($0.lab) \($0.allAsExpected ? "passed" : "FAILED")" }.joined(separator: ", "))
            }
        }
        if let junitFile { try write(JUnitReport.render(reports), to: junitFile, what: "JUnit XML") }
        if let reportFile { try write(HTMLReport.render(reports), to: reportFile, what: "HTML report") }
        // With --keep, pxelab goes on running: what was printed must reach a pipe or file now.
        fflush(nil)
    }

    private func write(_ text: String, to path: String, what: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            printError("pxelab run: cannot write the \(what) to \(path): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        if !json { print("\(what): \(path)") }
    }
}

/// The summary table of a run.
enum RunTable {
    static func render(_ report: RunReport) -> String {
        var table = Table("DEVICE", "MODE", "RESULT", "ERROR", "NAME", "BOOT", "PROFILE", "OOBE", "JOIN", "ENROLL", "ESP",
                          "TOTAL", "EXPECTED")
        func seconds(_ result: DeviceResult, _ phases: [OOBEPhase]) -> String {
            result.seconds(in: phases).map { String(format: "%.2fs", $0) } ?? "-"
        }
        for result in report.devices {
            let outcome = result.result.rawValue + (result.event.map { " (\($0))" } ?? "")
            table.add(result.device, result.mode?.rawValue ?? "none", outcome, result.errorCode?.description ?? "", result.deviceName ?? "",
                      seconds(result, [.boot, .network]), seconds(result, [.profile]),
                      seconds(result, [.oobePages, .technician]), seconds(result, [.identity]),
                      seconds(result, [.enrollment]),
                      seconds(result, [.espDevicePreparation, .espDeviceSetup, .espAccountSetup]),
                      String(format: "%.2fs", result.totalSeconds), result.asExpected ? "yes" : "NO: \(result.expected)")
        }
        var stepLines: [String] = []
        for step in report.steps {
            stepLines.append("\(step.passed ? "PASS" : "FAIL") \(step.index). \(step.name.map { "[\($0)] " } ?? "")\(step.summary)"
                             + String(format: " (%.2fs)", step.seconds))
            for check in step.checks where !step.passed || check.passed != true {
                stepLines.append("       \(check.line)")
            }
        }
        let ready = report.devices.filter { $0.result == .businessReady }.count
        let failed = report.devices.filter { $0.result == .failed }.count
        let unexpected = report.devices.filter { !$0.asExpected }.count
        var lines = [table.render(), ""]
        if !stepLines.isEmpty { lines += ["scenario:"] + stepLines + [""] }
        for result in report.devices where result.result == .failed {
            lines.append("  \(result.device): \(result.errorCode?.description ?? "no code") in \(result.failedPhase?.rawValue ?? "?"): \(result.message ?? "")")
        }
        let failedSteps = report.steps.filter { !$0.passed }.count
        lines.append("lab '\(report.lab)': \(report.devices.count) devices, \(ready) business-ready, \(failed) failed, "
                     + "\(unexpected) not as expected" + (report.steps.isEmpty ? "" : ", \(report.steps.count - failedSteps)/\(report.steps.count) steps passed")
                     + "; \(report.events) events in \(String(format: "%.2f", report.seconds)) s")
        lines.append("event log: \(report.eventLog)")
        return lines.joined(separator: "\n")
    }
}
