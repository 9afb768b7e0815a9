public import Foundation
import AsyncHTTPClient
import Autopilot
public import BootEndpoint
import DeviceProtocol
public import LabController
import LabStore
public import LabTopology
import Libvirt
import OOBEAgent

/// A lab at work: its endpoint listening, its fleet defined on libvirt, and a virtual device per
/// lab device that runs its agent when powered on. `pxelab run`, the flow commands and scenario
/// steps all act through it.
public final class LabSession: Sendable {
    public let lab: Lab
    public let options: Options
    let server: RunningServer
    /// The libvirt host the devices run on, reopened if its daemon goes away.
    let host: HostLink
    let client: HTTPClient
    /// The lab's endpoint.
    public let endpoint: BootEndpoint
    /// Virtual devices (in-process agents on the embedded default), or real VMs.
    public let virtual: Bool
    /// The button each device's user presses on an ESP error (set by scenario steps).
    let espButtons: Locked<[String: String]>
    /// The repair a recovery in progress starts at a device's recovery screen.
    let repairs: Locked<[String: NextAction]>
    /// The real VMs an operation is waiting on.
    let watchers: RealVMWatchers
    /// The virtual devices' requests in flight at once (as many as the client has connections).
    let requests: RequestLimiter
    /// Lab devices by name and by serial.
    private let devicesByKey: [String: LabDevice]

    public struct Options: Sendable {
        /// The Images folder (iPXE templates).
        public var imagesDirectory: URL
        /// Replaces the lab file's timing (for example 0 in benchmarks).
        public var timing: LabTiming?
        /// Concurrent HTTP connections the fleet's agents share.
        public var connections: Int
        /// How many boots a device may go through in one operation before it counts as a boot loop.
        public var maximumBoots: Int
        /// Replaces every host's URI (`--libvirt qemu:///system` runs the lab on real VMs).
        public var uriOverride: String?
        /// How long a real VM may take to reach an end state, in seconds.
        public var realDeviceTimeout: Double
        /// The endpoint's loopback port (nil: a free one). Real VMs carry it in their boot file URL,
        /// so a fixed port keeps their definitions stable from run to run.
        public var endpointPort: Int?

        public init(imagesDirectory: URL, timing: LabTiming? = nil, connections: Int = 32, maximumBoots: Int = 8,
                    uriOverride: String? = nil, realDeviceTimeout: Double = 600, endpointPort: Int? = nil) {
            self.imagesDirectory = imagesDirectory
            self.timing = timing
            self.connections = connections
            self.maximumBoots = maximumBoots
            self.uriOverride = uriOverride
            self.realDeviceTimeout = realDeviceTimeout
            self.endpointPort = endpointPort
        }
    }

    /// Opens the lab, applies its faults, starts the endpoint and brings the fleet up: on the
    /// embedded default (virtual devices, each run by an in-process agent) or on one QEMU host
    /// (real VMs that network-boot from the endpoint and run the agent inside).
    public static func open(topology: Topology, stateRoot: URL, options: Options) async throws -> LabSession {
        let lab = try Lab(topology: topology, stateRoot: stateRoot)
        let uris = Set(topology.devices.map { options.uriOverride ?? topology.host(of: $0).uri })
        guard uris.count == 1, let uri = uris.first else {
            throw RunError("a session drives one host; the lab file uses \(uris.sorted().joined(separator: ", "))")
        }
        let virtual = EmbeddedHost.isEmbedded(uri)
        if !virtual {
            let undersized = GuestImage.undersizedModels(in: topology)
            guard undersized.isEmpty else { throw RunError(undersized.joined(separator: "\n")) }
            try GuestImage(imagesDirectory: options.imagesDirectory).ensureBuilt()
        }
        let buttons = Locked<[String: String]>([:])
        let repairs = Locked<[String: NextAction]>([:])
        let keyboard = Locked<(@Sendable (String, [KeyChord]) async -> Void)?>(nil)
        let watchers = RealVMWatchers()
        let driver = LabDriver(lab: lab, espButtons: { name in buttons.withLock { $0[name] } },
                               keyboard: { device, chords in await keyboard.withLock { $0 }?(device, chords) },
                               idle: { name in watchers.idle(name) },
                               repair: { name in repairs.withLock { $0[name] } })
        let endpoint = try BootEndpoint(lab: lab, options: .init(port: options.endpointPort ?? 0, imagesDirectory: options.imagesDirectory),
                                        driver: driver)
        _ = try FaultPlan.apply(lab)
        let server = try await endpoint.start()
        // The embedded host is opened once, for provisioning and for the session.
        let connection = virtual ? try EmbeddedHost.open(in: lab.directory) : try Connection(uri: uri)
        // Real VMs network-boot from http://10.0.2.2:PORT/boot.ipxe: define them with this port.
        _ = try LabProvisioner(topology: topology, directory: lab.directory, uriOverride: options.uriOverride,
                               endpointPort: server.port).up(embedded: virtual ? connection : nil)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = options.connections
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let session = LabSession(lab: lab, options: options, server: server, host: HostLink(connection: connection),
                                 client: client, buttons: buttons, repairs: repairs, endpoint: endpoint, virtual: virtual,
                                 watchers: watchers)
        endpoint.setOperator(session)
        keyboard.withLock { $0 = { device, chords in try? await session.press(chords, on: device) } }
        return session
    }

    private init(lab: Lab, options: Options, server: RunningServer, host: HostLink, client: HTTPClient,
                 buttons: Locked<[String: String]>, repairs: Locked<[String: NextAction]>, endpoint: BootEndpoint,
                 virtual: Bool, watchers: RealVMWatchers) {
        self.endpoint = endpoint
        self.watchers = watchers
        self.virtual = virtual
        self.lab = lab
        self.options = options
        self.server = server
        self.host = host
        self.client = client
        self.espButtons = buttons
        self.repairs = repairs
        self.requests = RequestLimiter(limit: options.connections)
        // The first device in fleet order wins a key, by name or by serial.
        var byKey: [String: LabDevice] = [:]
        for device in lab.topology.devices.reversed() {
            byKey[device.identity.serial] = device
            byKey[device.name] = device
        }
        self.devicesByKey = byKey
    }

    /// The endpoint's port.
    public var port: Int { server.port }

    /// Powers every device off, saves the embedded host's state and stops the endpoint.
    public func close() async {
        for device in lab.topology.devices { await power(device.name) { if try $0.isActive() { try $0.destroy() } } }
        try? await client.shutdown()
        if virtual { try? EmbeddedHost.save(host.connection, in: lab.directory) }
        await server.stop()
    }

    /// Presses key chords on a real VM's keyboard through libvirt (`virDomainSendKey`, Linux key
    /// codes); the guest's agent reads them from its keyboard. Virtual devices have no keyboard.
    func press(_ chords: [KeyChord], on name: String) async throws {
        guard !virtual else { return }
        for chord in chords {
            try await host.perform { connection in
                try connection.domain(named: name).sendKey(chord.keys.map(UInt32.init), holdTime: 80)
            }
        }
    }

    /// What a running device's screen shows, as PNG (`virDomainScreenshot`).
    public func screen(of name: String) async throws -> Data {
        let device = try device(name)
        let file = lab.directory.path("screens/\(device.name).\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: file) }
        let mimeType = try await host.perform { connection in
            let domain = try connection.domain(named: device.name)
            guard try domain.isActive() else { throw RunError("\(device.name) is powered off: only a running device has a screen") }
            return try domain.screenshot(to: file)
        }
        return try ScreenImage.png(from: Data(contentsOf: file), mimeType: mimeType)
    }

    // MARK: Devices

    func device(_ name: String) throws -> LabDevice {
        guard let device = devicesByKey[name] else {
            throw RunError("no device named or with serial '\(name)' in lab '\(lab.topology.lab)'")
        }
        return device
    }

    /// The device's own disk (its state file).
    func storage(of name: String) -> FileDeviceStorage {
        FileDeviceStorage(file: lab.directory.path("devices/\(name).json"))
    }

    /// Runs a libvirt operation on a device's domain, off the cooperative pool.
    func power(_ name: String, _ action: @escaping @Sendable (Domain) throws -> Void) async {
        _ = try? await host.perform { connection in try action(connection.domain(named: name)) }
    }

    func agent(for device: LabDevice) -> OOBEAgent {
        let topology = lab.topology
        let timing = options.timing ?? topology.timing
        var agent = OOBEAgent(
            endpoint: "http://127.0.0.1:\(port)",
            identity: FirmwareIdentity(device.identity),
            hardwareHash: { collection in topology.hardwareHash(of: device, collection: collection) },
            hasTPM2: topology.model(of: device).tpm == .v2_0,
            storage: storage(of: device.name),
            timing: Timing(scale: timing.scale, jitter: timing.jitter),
            httpClient: client)
        agent.requestLimiter = requests
        return agent
    }

    /// Powers a device on and runs its agent through reboots and power cycles until it reaches
    /// an end state (or boots too often: a boot loop). The domain is powered off at the end.
    @discardableResult
    func boot(_ device: LabDevice, stopAtReseal: Bool = false) async -> BootRun {
        if !virtual { return await bootRealVM(device, stopAtReseal: stopAtReseal) }
        let agent = agent(for: device)
        let name = device.name
        await power(name) { if try !$0.isActive() { try $0.start() } }
        var boots = 0
        var outcome = OOBEAgent.Outcome.reboot
        loop: while boots < options.maximumBoots {
            boots += 1
            outcome = await agent.boot()
            switch outcome {
            case .reboot:
                await power(name) { try $0.reboot() }
            case .poweredOff:
                await power(name) { try $0.destroy() }
                if stopAtReseal { break loop }
                await power(name) { try $0.start() }  // the user unboxes the resealed device
            case .businessReady, .failed, .desktop, .notInLab:
                break loop
            }
        }
        await power(name) { if try $0.isActive() { try $0.destroy() } }
        return BootRun(outcome: outcome, boots: boots, bootLoop: boots >= options.maximumBoots && outcome == .reboot)
    }

    /// How a power-on ended.
    struct BootRun: Sendable {
        let outcome: OOBEAgent.Outcome
        let boots: Int
        /// The device kept rebooting without reaching an end state.
        let bootLoop: Bool
    }

    /// Powers devices on and drives each to its end state, all at once.
    public func deploy(_ names: [String]) async throws {
        let devices = try names.map(device)
        await AllocatorTrim().during {
            await withTaskGroup(of: Void.self) { group in
                for device in devices {
                    group.addTask { await self.boot(device, stopAtReseal: device.expect?.state == .resealed) }
                }
            }
        }
    }

    /// Starts every device from a factory-fresh state: disks wiped (the firmware's counters
    /// kept), lifecycle back to factory, no MDM enrollment remembered, and the tenant as the lab
    /// file declares it.
    public func factoryReset() async throws {
        try lab.store.clearEnrollments()
        // The tenant too starts as the lab file says, with the lab file's faults only.
        try lab.autopilot.restore(from: lab.topology)
        try lab.store.clearFaults(of: lab.topology.devices.map(\.name))
        _ = try FaultPlan.apply(lab)
        if !virtual {
            // A real VM's state is its disk: a new, empty one.
            let names = lab.topology.devices.map(\.name)
            let disks = StateDisks(lab: lab.topology.lab, directory: lab.directory)
            try await host.perform { connection in try disks.recreate(for: names, on: connection) }
        }
        // Each device's disk on its own: side by side.
        let devices = lab.topology.devices
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: devices.count) { index in
            let device = devices[index]
            let storage = storage(of: device.name)
            do {
                var state = (try storage.load() ?? DeviceState()).wiped()
                state.winRE = lab.topology.model(of: device).winRE
                try storage.save(state)
            } catch {
                failures.withLock { $0.append("\(device.name): \(error)") }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw RunError("cannot reset a device's disk: \(failure)") }
        try lab.store.setLifecycle(.factory, of: lab.topology.devices.map(\.name), at: Date())
    }

    /// The button a device's user presses on an ESP error from now on (nil: none).
    public func setESPButton(_ button: String?, for name: String) {
        espButtons.withLock { $0[name] = button }
    }
}

/// A value behind a lock.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
