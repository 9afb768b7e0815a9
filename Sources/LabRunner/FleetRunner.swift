public import Foundation
import AsyncHTTPClient
import Autopilot
import BootEndpoint
import DeviceProtocol
import LabController
import LabStore
public import LabTopology
import Libvirt
import OOBEAgent

/// `pxelab run`: starts the endpoint, defines the fleet through libvirt, powers every device on
/// with an in-process agent speaking real HTTP to the endpoint, drives each device to its end
/// state, and reports how every device ended against what the lab file expects.
public final class FleetRunner: Sendable {
    public let topology: Topology
    public let stateRoot: URL
    public let options: Options

    public struct Options: Sendable {
        /// The Images folder (iPXE templates).
        public var imagesDirectory: URL
        /// Replaces the lab file's timing (for example 0 in benchmarks).
        public var timing: LabTiming?
        /// Starts every device from a factory-fresh state (the default); otherwise devices resume.
        public var fresh: Bool
        /// Progress lines, for example to a terminal.
        public var progress: (@Sendable (String) -> Void)?
        /// How often progress is reported, in seconds.
        public var progressInterval: Double
        /// Concurrent HTTP connections the fleet's agents share.
        public var connections: Int

        public init(imagesDirectory: URL, timing: LabTiming? = nil, fresh: Bool = true,
                    progress: (@Sendable (String) -> Void)? = nil, progressInterval: Double = 0.5, connections: Int = 32) {
            self.imagesDirectory = imagesDirectory
            self.timing = timing
            self.fresh = fresh
            self.progress = progress
            self.progressInterval = progressInterval
            self.connections = connections
        }
    }

    public init(topology: Topology, stateRoot: URL, options: Options) {
        self.topology = topology
        self.stateRoot = stateRoot
        self.options = options
    }

    public func run() async throws -> RunReport {
        let started = Date()
        let lab = try Lab(topology: topology, stateRoot: stateRoot)
        for host in Set(topology.devices.map { topology.host(of: $0).uri }) where !EmbeddedHost.isEmbedded(host) {
            throw RunError("pxelab run drives virtual devices on the embedded default (test:///default); \(host) is not")
        }
        let endpoint = try BootEndpoint(lab: lab, options: .init(port: 0, imagesDirectory: options.imagesDirectory),
                                        driver: LabDriver(lab: lab))
        _ = try FaultPlan.apply(lab)
        if options.fresh { try factoryReset(lab) }
        _ = try LabProvisioner(topology: topology, directory: lab.directory).up()

        let server = try await endpoint.start()
        let port = server.port

        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = options.connections
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let connection = try EmbeddedHost.open(in: lab.directory)
        let progress = options.progress.map { report in
            Task { await Self.reportProgress(lab: lab, every: options.progressInterval, to: report) }
        }
        await withTaskGroup(of: Void.self) { group in
            for device in topology.devices {
                group.addTask {
                    await self.drive(device, lab: lab, connection: connection, endpoint: "http://127.0.0.1:\(port)", client: client)
                }
            }
        }
        progress?.cancel()
        _ = await progress?.result
        try? await client.shutdown()
        try EmbeddedHost.save(connection, in: lab.directory)
        await server.stop()

        let report = try RunSummary.report(lab: lab, started: started)
        options.progress?(RunSummary.progressLine(try RunSummary.phaseCounts(lab), total: topology.devices.count))
        return report
    }

    /// Powers a device on and runs its agent until it reaches an end state, rebooting and
    /// powering it through libvirt as the agent asks.
    private func drive(_ device: LabDevice, lab: Lab, connection: Connection, endpoint: String, client: HTTPClient) async {
        let model = topology.model(of: device)
        let topology = topology
        let agent = OOBEAgent(
            endpoint: endpoint,
            identity: FirmwareIdentity(serial: device.identity.serial, uuid: device.identity.uuid.uuidString.lowercased(),
                                       manufacturer: device.identity.manufacturer, product: device.identity.product,
                                       mac: device.identity.mac.description.replacingOccurrences(of: ":", with: "-"),
                                       asset: device.identity.chassis.assetTag ?? ""),
            hardwareHash: { collection in topology.hardwareHash(of: device, collection: collection) },
            hasTPM2: model.tpm == .v2_0,
            storage: FileDeviceStorage(file: lab.directory.path("devices/\(device.name).json")),
            timing: Timing(scale: (options.timing ?? topology.timing).scale, jitter: (options.timing ?? topology.timing).jitter),
            httpClient: client)
        let name = device.name
        func power(_ action: @escaping @Sendable (Domain) throws -> Void) async {
            _ = try? await connection.perform { connection in try action(connection.domain(named: name)) }
        }
        await power { if try !$0.isActive() { try $0.start() } }
        for _ in 0..<12 {
            switch await agent.boot() {
            case .reboot:
                await power { try $0.reboot() }
            case .poweredOff:
                await power { try $0.destroy() }
                if device.expect.state == .resealed { return }
                await power { try $0.start() }  // the user unboxes the resealed device
            case .businessReady, .failed, .desktop, .notInLab:
                await power { try $0.destroy() }
                return
            }
        }
        await power { try $0.destroy() }
    }

    /// Puts every device back in its factory state: its disk wiped (the firmware's counters
    /// kept) and the controller's lifecycle back to factory.
    private func factoryReset(_ lab: Lab) throws {
        for device in topology.devices {
            let storage = FileDeviceStorage(file: lab.directory.path("devices/\(device.name).json"))
            try storage.save((try storage.load() ?? DeviceState()).wiped())
            try lab.store.setLifecycle(.factory, of: device.name, at: Date())
        }
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
