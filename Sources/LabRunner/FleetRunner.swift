public import Foundation
import DeviceProtocol
public import LabService
import LabStore
public import LabFiles

/// `pxelab run`: opens the lab, and either deploys every device (a lab without a scenario) or
/// runs the scenario's steps; then reports how every device ended.
public struct FleetRunner: Sendable {
    public let labFile: LabFile
    public let stateRoot: URL
    public let options: Options

    public struct Options: Sendable {
        public var lab: RunningLab.Options
        /// Starts every device from a factory-fresh state (the default); otherwise devices resume.
        public var fresh: Bool
        /// Progress lines, for example to a terminal.
        public var progress: (@Sendable (String) -> Void)?
        /// How often progress is reported, in seconds.
        public var progressInterval: Double
        /// Only the scenario steps with these names (`--only`).
        public var only: Set<String>?
        /// The scenario from the step with this name on (`--from`).
        public var from: String?
        /// Called once the lab is open (its endpoint listening), for example to show the
        /// dashboard's address.
        public var opened: (@Sendable (RunningLab) -> Void)?

        public init(lab: RunningLab.Options, fresh: Bool = true, progress: (@Sendable (String) -> Void)? = nil,
                    progressInterval: Double = 0.5, only: Set<String>? = nil, from: String? = nil,
                    opened: (@Sendable (RunningLab) -> Void)? = nil) {
            self.lab = lab
            self.fresh = fresh
            self.progress = progress
            self.progressInterval = progressInterval
            self.only = only
            self.from = from
            self.opened = opened
        }
    }

    public init(labFile: LabFile, stateRoot: URL, options: Options) {
        self.labFile = labFile
        self.stateRoot = stateRoot
        self.options = options
    }

    /// Runs the lab and closes it: every VM is powered off and the endpoint stops.
    public func run() async throws -> RunReport {
        let (report, running) = try await execute()
        try await running.close()
        return report
    }

    /// Runs the lab and leaves it up (`pxelab run --keep`): its devices stay as they ended and
    /// its endpoint and dashboard keep serving until the caller closes it.
    public func runKeepingLab() async throws -> (report: RunReport, lab: RunningLab) {
        try await execute()
    }

    private func execute() async throws -> (report: RunReport, lab: RunningLab) {
        let started = Date()
        let running = try await RunningLab.open(labFile: labFile, stateRoot: stateRoot, options: options.lab)
        options.opened?(running)
        let progress = options.progress.map { report in
            Task { await Self.reportProgress(lab: running.lab, every: options.progressInterval, to: report) }
        }
        var steps: [StepResult] = []
        do {
            if options.fresh { try await running.fleet.factoryReset() }
            if labFile.scenario.isEmpty {
                try await running.fleet.deploy(labFile.devices.map(\.name))
            } else {
                steps = try await ScenarioExecutor(fleet: running.fleet).run(labFile.scenario, only: options.only, from: options.from)
            }
            progress?.cancel()
            _ = await progress?.result
            let lab = running.lab
            let checkDefaults = labFile.scenario.isEmpty
            let results = steps
            let (report, last) = try await Offload.run {
                (try lab.report(started: started, checkDefaults: checkDefaults, steps: results), try lab.progress())
            }
            options.progress?(Self.progressLine(last))
            return (report, running)
        } catch {
            progress?.cancel()
            // The run's own error comes first; closing is done all the same, and said if it fails.
            do { try await running.close() } catch let closing {
                throw RunError("\(error)\nclosing the lab failed too: \(closing)")
            }
            throw error
        }
    }

    private static func reportProgress(lab: Lab, every interval: Double, to report: @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            // A moment the store cannot be read shows no line; the next one does.
            if let progress = try? await Offload.run({ try lab.progress() }) { report(progressLine(progress)) }
            try? await Task.sleep(for: .seconds(interval))
        }
    }

    /// `[#########.....] 30/100  boot 20 | profile 50 | business-ready 30`.
    static func progressLine(_ progress: FleetProgress) -> String {
        let width = 30
        let filled = progress.total == 0 ? width : width * progress.done / progress.total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var parts: [String] = []
        if progress.waiting > 0 { parts.append("waiting \(progress.waiting)") }
        for phase in OOBEPhase.allCases { if let count = progress.inPhase[phase], count > 0 { parts.append("\(phase.rawValue) \(count)") } }
        for outcome in DeviceOutcome.allCases {
            if let count = progress.finished[outcome], count > 0 { parts.append("\(outcome.rawValue) \(count)") }
        }
        return "[\(bar)] \(progress.done)/\(progress.total)  " + parts.joined(separator: " | ")
    }
}
