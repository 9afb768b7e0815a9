public import Foundation
public import Hummingbird
import HummingbirdCore
public import LabService
import LabStore
public import LabFiles
public import Logging
import ServiceLifecycle
import GraphAPI
public import HTTPConnections
import PipelineAnswers
import TFTP
import NIOCore

/// The HTTP endpoint every lab device talks to: boot scripts keyed on SMBIOS identity, the
/// Autopilot profile service, device events and actions, MDM's enrollment policy, assets, the
/// admin API, the dashboard and metrics. Built on Hummingbird; its routes parse a request, call
/// the lab's service (``Lab``, ``Fleet``) and render the answer.
public final class BootEndpoint: Sendable {
    public let lab: Lab
    /// The lab's devices, when this controller hosts them (`pxelab run`); without them (`pxelab
    /// serve`) flows can only be queued and screens are not shown.
    public let fleet: Fleet?
    public let options: Options
    let templates: BootTemplates
    let matcher: DeviceMatcher
    /// Each lab device's token (made once, when the device is first stored, and never changed),
    /// so that checking a device request's token needs no database read.
    let deviceTokens: [String: String]
    let adminToken: String
    /// TPM attestation for self-deploying and pre-provisioning devices.
    let attestation: TPMAttestation
    /// Whether it serves Secure Boot's network path (``Options/secureBootNetwork``).
    let servesSecureBootNetwork: Bool
    /// The kernel and initrd Secure Boot VMs fetch over TFTP, read once.
    let keptFiles = KeptFiles()
    /// The Graph-shaped door, at the root of the same port.
    let graph: GraphController
    let metrics: EndpointMetrics
    /// The HTTP connections open, counted against ``Options/connectionLimits``.
    let connectionCount = ConnectionCount()
    /// The people at the devices: what a device does next when nothing is queued for it.
    let attendant: any DeviceAttendant
    /// The fleet as the dashboard follows it.
    let live: LiveFleet
    let clock: @Sendable () -> Date
    let logger: Logger

    /// How the endpoint is set up.
    public struct Options: Sendable {
        /// The address to listen on. Loopback by default: VMs reach it as 10.0.2.2.
        public var host: String
        /// 0 picks a free port.
        public var port: Int
        /// `Images/`: iPXE and GRUB templates, and files served under `/assets/`.
        public var imagesDirectory: URL
        /// The image build folder, served under `/assets/build/` (default `Images/build`).
        public var buildDirectory: URL
        /// The largest request body accepted on device routes.
        public var maxBodyBytes: Int
        /// The largest body accepted on admin routes (CSV imports of 500 rows).
        public var maxAdminBodyBytes: Int
        /// Where the devices' TPMs come from: real VMs prove theirs against swtpm's local CA,
        /// virtual devices have their model's. Nil: by the lab file's hosts (``serveDevices(on:of:)``).
        public var tpmTrust: TPMAttestation.Trust?
        /// The hosts whose real VMs are attested: each one's `ekAuthority`, or the controller's CA
        /// where it names none. Nil: the hosts devices are served on (``serveDevices(on:of:)``).
        public var attestedHosts: [LabHost]?
        /// Serves UEFI Secure Boot's network path: the signed chain in the lab's `tftp/` folder
        /// and GRUB's steps over TFTP on the endpoint's port (UDP). Nil: when the lab file has real
        /// VMs (a host other than the embedded default) of a model with Secure Boot.
        public var secureBootNetwork: Bool?
        /// What each connection is allowed: timeouts, open connections, the size of a head.
        public var connectionLimits: ConnectionLimits
        /// Further addresses to listen on, on the same port (``start()``): those other libvirt
        /// hosts' VMs reach the controller at. The same routes, tokens and limits on each.
        public var alsoListenOn: [String] = []
        /// The address VMs reach the endpoint at, by further listen address, where it is not
        /// that address itself (a NAT between another host and the controller). Secure Boot's
        /// GRUB is told it (its TFTP server is the endpoint's); iPXE's scripts name the address
        /// asked at.
        public var guestAddresses: [String: String] = [:]

        public init(host: String = "127.0.0.1", port: Int = Lab.defaultEndpointPort, imagesDirectory: URL,
                    buildDirectory: URL? = nil, maxBodyBytes: Int = 1 << 20, maxAdminBodyBytes: Int = 8 << 20,
                    tpmTrust: TPMAttestation.Trust? = nil, secureBootNetwork: Bool? = nil,
                    connectionLimits: ConnectionLimits = ConnectionLimits()) {
            self.host = host
            self.port = port
            self.imagesDirectory = imagesDirectory
            self.buildDirectory = buildDirectory ?? imagesDirectory.appendingPathComponent("build")
            self.maxBodyBytes = maxBodyBytes
            self.maxAdminBodyBytes = maxAdminBodyBytes
            self.tpmTrust = tpmTrust
            self.secureBootNetwork = secureBootNetwork
            self.connectionLimits = connectionLimits
        }

        /// Fills in what real VMs and virtual devices need, where not set: devices on any libvirt
        /// host but the embedded default are real VMs, which prove their TPM against their host's
        /// EK authority and boot Secure Boot's signed chain over TFTP (if a model has Secure Boot);
        /// virtual devices have their model's TPM and boot over HTTP only. `hosts` are those a run
        /// drives (`--libvirt` gives one of no lab file host's).
        public mutating func serveDevices(on hosts: [LabHost], of labFile: LabFile) {
            let realVMs = hosts.contains { $0.uri != LabHost.embedded.uri }
            tpmTrust = tpmTrust ?? (realVMs ? .swtpmLocalCA : .labFile)
            attestedHosts = attestedHosts ?? hosts
            secureBootNetwork = secureBootNetwork ?? (realVMs && labFile.models.contains(where: \.secureBoot))
        }

        /// Whether the address is loopback-only.
        public var isLoopback: Bool { HTTPConnections.isLoopback(host) }
    }

    /// Prepares the endpoint for a lab: reads the lab's devices and their tokens and the iPXE
    /// templates, and creates (or reads) the admin token in the lab folder. `fleet` hosts the
    /// lab's devices for the admin API's flows and screens; `attendant` answers devices' questions.
    public init(lab: Lab, fleet: Fleet? = nil, attendant: any DeviceAttendant = AbsentAttendant(), options: Options,
                clock: @escaping @Sendable () -> Date = Date.init, logger: Logger = Logger(label: "pxelab.endpoint")) throws {
        self.lab = lab
        self.fleet = fleet
        self.attendant = attendant
        self.live = LiveFleet(lab: lab)
        var options = options
        options.serveDevices(on: lab.labFile.hosts, of: lab.labFile)
        self.options = options
        self.templates = try BootTemplates(images: options.imagesDirectory)
        let devices = try lab.store.devices()
        self.matcher = DeviceMatcher(devices: devices)
        self.deviceTokens = Dictionary(devices.map { ($0.name, $0.token) }, uniquingKeysWith: { first, _ in first })
        self.adminToken = try Secret.stored(at: lab.directory.path("admin.token"))
        self.attestation = try TPMAttestation(lab: lab, trust: options.tpmTrust ?? .labFile, hosts: options.attestedHosts ?? lab.labFile.hosts)
        self.servesSecureBootNetwork = options.secureBootNetwork ?? false
        self.graph = try GraphController(lab: lab, fleet: fleet, maxBodyBytes: options.maxAdminBodyBytes, clock: clock)
        self.metrics = EndpointMetrics()
        self.clock = clock
        self.logger = logger
    }

    /// The admin API's bearer token (also in `<lab folder>/admin.token`).
    public var administratorToken: String { adminToken }

    /// The Graph door's bearer token (also in `<lab folder>/graph.token`).
    public var graphToken: String { graph.token }

    /// The Hummingbird application serving every route.
    public func application(host: String? = nil, port: Int? = nil, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let router = Router(context: EndpointRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: ServiceErrorMiddleware(logger: logger))
        addBootRoutes(to: router)
        addAssetRoutes(to: router)
        addAutopilotRoutes(to: router)
        addDeviceRoutes(to: router)
        addAttestationRoutes(to: router)
        addAdminRoutes(to: router)
        addDashboardRoutes(to: router)
        addMetricsRoutes(to: router)
        addOpenAPIRoute(to: router)
        graph.add(to: router)
        var quiet = logger
        quiet.logLevel = .warning
        let limits = options.connectionLimits
        let server = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [
            ConnectionGuard(limits: limits, count: self.connectionCount, observer: self.metrics.endpointConnections),
            ExpectContinueHandler(),
            PipelineAnswerHandler(answer: { request, client in self.answerInMemory(request, from: client?.ipAddress)?.pipelineAnswer },
                                  served: { answer, took in
                                      self.metrics.request(route: answer.route, method: "GET", status: 200, duration: took)
                                  }),
        ], httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes)))
        return Application(router: router, server: server,
                           configuration: .init(address: .hostname(host ?? options.host, port: port ?? options.port), serverName: "pxelab",
                                                // A fleet booting at once connects faster than one accept loop takes them.
                                                backlog: 4096),
                           onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
                           logger: quiet)
    }

    /// Where the Redfish service's connection decisions go to be counted in this endpoint's
    /// /metrics (`pxelab_redfish_connections...`): give it as its options' `connectionObserver`.
    public var redfishConnections: any ConnectionObserver { metrics.redfishConnections }

    /// Starts listening and returns once the port is bound (with Secure Boot's network path,
    /// the TFTP server on the same port); stop it with ``RunningServer/stop()``.
    public func start() async throws -> RunningServer {
        warnUnlessLoopback()
        // The kernel picks a free port for TCP, and the TFTP server takes the same number on UDP,
        // where another program's socket may hold it: the endpoint then starts again on another.
        var attempts = options.port == 0 && servesSecureBootNetwork ? 5 : 1
        while true {
            attempts -= 1
            do {
                return try await startListening()
            } catch let taken as UDPPortTaken {
                if attempts > 0 { continue }
                throw EndpointSetupError("Secure Boot's network path cannot be served: UDP port \(taken.port) is in use")
            }
        }
    }

    /// The port's number on UDP is in use (by the time the TCP port was bound).
    private struct UDPPortTaken: Error {
        let port: Int
    }

    private func startListening() async throws -> RunningServer {
        let first = await listen()
        guard let port = first.port else {
            throw EndpointSetupError("the endpoint stopped before listening: \(await first.failure)")
        }
        var listeners = [first]
        func stopListening() async {
            for listener in listeners { await listener.stop() }
        }
        // The same port on each further address (the addresses other libvirt hosts' VMs reach it at).
        for address in options.alsoListenOn {
            let extra = await listen(on: address, port: port)
            listeners.append(extra)
            guard extra.port != nil else {
                let failure = await extra.failure
                await stopListening()
                throw EndpointSetupError("the endpoint cannot listen on \(address):\(port) as well: \(failure)")
            }
        }
        var tftp: [TFTPServer] = []
        if servesSecureBootNetwork {
            do {
                tftp = try await startSecureBootNetwork(port: port)
            } catch {
                await stopListening()
                if (error as? IOError)?.errnoCode == EADDRINUSE { throw UDPPortTaken(port: port) }
                throw EndpointSetupError("Secure Boot's network path cannot be served: \(error)")
            }
        }
        return RunningServer(port: port, listeners: listeners, tftp: tftp, live: live, store: lab.store)
    }

    /// Starts a listener on an address (the options' when nil).
    private func listen(on host: String? = nil, port: Int? = nil) async -> Listener {
        await Listener.start(logger: logger) { bound in application(host: host, port: port) { bound($0) } }
    }

    private func warnUnlessLoopback() {
        for address in [options.host] + options.alsoListenOn where !HTTPConnections.isLoopback(address) {
            logger.warning("listening on \(address), not loopback: lab traffic can reach this machine from the network")
        }
    }
}
