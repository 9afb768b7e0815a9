public import Foundation
public import Hummingbird
import HummingbirdCore
public import LabController
import LabStore
public import DeviceProtocol
public import Logging
import ServiceLifecycle

/// The HTTP endpoint every lab device talks to: boot scripts keyed on SMBIOS identity, the
/// Autopilot profile service, device events and actions, MDM's enrollment policy, assets, the
/// admin API and metrics. Built on Hummingbird; state in the lab's store.
public final class BootEndpoint: Sendable {
    public let lab: Lab
    public let options: Options
    let templates: IPXETemplates
    let matcher: DeviceMatcher
    /// Each lab device's token (made once, when the device is first stored, and never changed),
    /// so that checking a device request's token needs no database read.
    let deviceTokens: [String: String]
    /// Each model's TPM version, as boot scripts tell the guest.
    let modelTPM: [String: String]
    let adminToken: String
    let metrics: EndpointMetrics
    let driver: any DeviceDriver
    let clock: @Sendable () -> Date
    let logger: Logger
    /// Who runs flows on the devices, once the controller hosting them says so.
    private let operatorBox = OperatorBox()
    /// The dashboard's open event streams.
    let streams = EventStreams()

    /// Sets who runs lifecycle flows for the admin API.
    public func setOperator(_ labOperator: any LabOperator) { operatorBox.set(labOperator) }

    var labOperator: (any LabOperator)? { operatorBox.get() }

    /// How the endpoint is set up.
    public struct Options: Sendable {
        /// The address to listen on. Loopback by default: VMs reach it as 10.0.2.2.
        public var host: String
        /// 0 picks a free port.
        public var port: Int
        /// `Images/`: iPXE templates and files served under `/assets/`.
        public var imagesDirectory: URL
        /// The image build folder, served under `/assets/build/` (default `Images/build`).
        public var buildDirectory: URL
        /// The largest request body accepted on device routes.
        public var maxBodyBytes: Int
        /// The largest body accepted on admin routes (CSV imports of 500 rows).
        public var maxAdminBodyBytes: Int

        public init(host: String = "127.0.0.1", port: Int = DeviceDomain.defaultEndpointPort, imagesDirectory: URL,
                    buildDirectory: URL? = nil, maxBodyBytes: Int = 1 << 20, maxAdminBodyBytes: Int = 8 << 20) {
            self.host = host
            self.port = port
            self.imagesDirectory = imagesDirectory
            self.buildDirectory = buildDirectory ?? imagesDirectory.appendingPathComponent("build")
            self.maxBodyBytes = maxBodyBytes
            self.maxAdminBodyBytes = maxAdminBodyBytes
        }

        /// Whether the address is loopback-only.
        public var isLoopback: Bool { host == "127.0.0.1" || host == "::1" || host == "localhost" }
    }

    /// Prepares the endpoint for a lab: syncs the lab's devices into the store, reads the iPXE
    /// templates and creates (or reads) the admin token in the lab folder.
    public init(lab: Lab, options: Options, driver: any DeviceDriver = ProceedDriver(),
                clock: @escaping @Sendable () -> Date = Date.init, logger: Logger = Logger(label: "pxelab.endpoint")) throws {
        self.lab = lab
        self.options = options
        self.templates = try IPXETemplates(directory: options.imagesDirectory.appendingPathComponent("ipxe"))
        try lab.store.syncDevices(lab.topology.devices.map { device in
            LabDeviceRecord(name: device.name, serial: device.identity.serial, mac: device.identity.mac.description,
                            uuid: device.identity.uuid.uuidString.lowercased(), manufacturer: device.identity.manufacturer,
                            product: device.identity.product, model: device.model, token: Tokens.make(), updatedAt: clock())
        })
        let devices = try lab.store.devices()
        self.matcher = DeviceMatcher(devices: devices)
        self.deviceTokens = Dictionary(devices.map { ($0.name, $0.token) }, uniquingKeysWith: { first, _ in first })
        self.modelTPM = Dictionary(lab.topology.models.map { ($0.id, $0.tpm.rawValue) }, uniquingKeysWith: { first, _ in first })
        self.adminToken = try Tokens.adminToken(at: lab.directory.path("admin.token"))
        self.metrics = EndpointMetrics()
        self.driver = driver
        self.clock = clock
        self.logger = logger
    }

    /// The admin API's bearer token (also in `<lab folder>/admin.token`).
    public var administratorToken: String { adminToken }

    /// The Hummingbird application serving every route.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: StoreErrorMiddleware(storePath: lab.store.database.path, logger: logger))
        addBootRoutes(to: router)
        addAssetRoutes(to: router)
        addAutopilotRoutes(to: router)
        addDeviceRoutes(to: router)
        addAdminRoutes(to: router)
        addDashboardRoutes(to: router)
        addMetricsRoutes(to: router)
        var quiet = logger
        quiet.logLevel = .warning
        let server = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [
            BootScriptChannelHandler(answer: { request in self.answerInMemory(request) },
                                     served: { answer, took in
                                         self.metrics.request(route: answer.route, method: "GET", status: 200, duration: took)
                                     }),
        ]))
        return Application(router: router, server: server,
                           configuration: .init(address: .hostname(options.host, port: options.port), serverName: "pxelab"),
                           onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
                           logger: quiet)
    }

    /// Runs until SIGINT or SIGTERM, calling `onRunning` with the bound port once listening.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        warnUnlessLoopback()
        try await application(onRunning: onRunning).runService()
        try await Offload.run { try self.lab.store.settle() }
    }

    /// Starts listening and returns once the port is bound; stop it with ``RunningServer/stop()``.
    public func start() async throws -> RunningServer {
        warnUnlessLoopback()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(services: [application { continuation.yield($0) }], logger: logger)
        let task = Task { try await group.run() }
        guard let port = await ports.first(where: { _ in true }) else {
            throw EndpointSetupError("the endpoint stopped before listening: \(String(describing: await task.result))")
        }
        return RunningServer(port: port, group: group, task: task, streams: streams, store: lab.store)
    }

    private func warnUnlessLoopback() {
        if !options.isLoopback {
            logger.warning("listening on \(options.host), not loopback: lab traffic can reach this machine from the network")
        }
    }
}

/// An endpoint that is listening.
public final class RunningServer: Sendable {
    /// The bound port.
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let streams: EventStreams
    private let store: LabStore

    init(port: Int, group: ServiceGroup, task: Task<Void, any Error>, streams: EventStreams, store: LabStore) {
        self.port = port
        self.group = group
        self.task = task
        self.streams = streams
        self.store = store
    }

    /// Shuts down gracefully (in-flight requests finish, dashboard streams end, boots recorded
    /// in the background are stored) and waits until it has.
    public func stop() async {
        streams.finishAll()
        await group.triggerGracefulShutdown()
        _ = await task.result
        _ = try? await Offload.run { [store] in try store.settle() }
    }
}

/// Holds the lab operator, set after the endpoint is built.
final class OperatorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (any LabOperator)?
    func set(_ value: any LabOperator) { lock.withLock { self.value = value } }
    func get() -> (any LabOperator)? { lock.withLock { value } }
}

/// Decides what a device does next when nothing is queued for it: the controller's side of the
/// OOBE (the user's answers, the technician's buttons).
public protocol DeviceDriver: Sendable {
    func nextAction(for device: String, at request: NextActionRequest) async -> NextAction
}

/// A driver that lets every device carry on.
public struct ProceedDriver: DeviceDriver {
    public init() {}
    public func nextAction(for device: String, at request: NextActionRequest) async -> NextAction { .proceed }
}
