public import Foundation
import DeviceProtocol
import LabController
public import LabTopology

/// `pxelab run`: opens a session on the lab, and either deploys every device (a lab without a
/// scenario) or runs the scenario's steps; then reports how every device ended.
public struct FleetRunner: Sendable {
    public let topology: Topology
    public let stateRoot: URL
    public let options: Options

    public struct Options: Sendable {
        public var session: LabSession.Options
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
        /// Called once the session is open (its endpoint listening), for example to show the
        /// dashboard's address.
        public var opened: (@Sendable (LabSession) -> Void)?

        public init(session: LabSession.Options, fresh: Bool = true, progress: (@Sendable (String) -> Void)? = nil,
                    progressInterval: Double = 0.5, only: Set<String>? = nil, from: String? = nil,
                    opened: (@Sendable (LabSession) -> Void)? = nil) {
            self.session = session
            self.fresh = fresh
            self.progress = progress
            self.progressInterval = progressInterval
            self.only = only
            self.from = from
            self.opened = opened
        }
    }

    public init(topology: Topology, stateRoot: URL, options: Options) {
        self.topology = topology
        self.stateRoot = stateRoot
        self.options = options
    }

    /// Runs the lab and closes it: every VM is powered off and the endpoint stops.
    public func run() async throws -> RunReport {
        let (report, session) = try await execute()
        await session.close()
        return report
    }

    /// Runs the lab and leaves it up (`pxelab run --keep`): its devices stay as they ended and
    /// its endpoint and dashboard keep serving until the caller closes the session.
    public func runKeepingLab() async throws -> (report: RunReport, session: LabSession) {
        try await execute()
    }

    private func execute() async throws -> (report: RunReport, session: LabSession) {
        let started = Date()
        let session = try await LabSession.open(topology: topology, stateRoot: stateRoot, options: options.session)
        options.opened?(session)
        let progress = options.progress.map { report in
            Task { await Self.reportProgress(lab: session.lab, every: options.progressInterval, to: report) }
        }
        var steps: [StepResult] = []
        do {
            if options.fresh { try await session.factoryReset() }
            if topology.scenario.isEmpty {
                try await session.deploy(topology.devices.map(\.name))
            } else {
                steps = await ScenarioExecutor(session: session).run(topology.scenario, only: options.only, from: options.from)
            }
        } catch {
            progress?.cancel()
            await session.close()
            throw error
        }
        progress?.cancel()
        _ = await progress?.result
        let report = try RunSummary.report(lab: session.lab, started: started, checkDefaults: topology.scenario.isEmpty,
                                           steps: steps)
        options.progress?(RunSummary.progressLine(try RunSummary.phaseCounts(session.lab), total: topology.devices.count))
        return (report, session)
    }

    private static func reportProgress(lab: Lab, every interval: Double, to report: @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            if let counts = try? RunSummary.phaseCounts(lab) {
                report(RunSummary.progressLine(counts, total: lab.topology.devices.count))
            }
            try? await Task.sleep(for: .seconds(interval))
        }
    }
}

/// A run that cannot start.
public struct RunError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
