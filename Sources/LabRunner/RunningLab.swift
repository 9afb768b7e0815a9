public import Foundation
import AsyncHTTPClient
public import BootEndpoint
public import RedfishAPI
import DeviceProtocol
import LabController
public import LabService
import LabStore
public import LabFiles
import Libvirt

/// A lab at work: its devices defined on one libvirt host and running there (as virtual devices
/// on the embedded default, or as real VMs), the lab's faults applied, and its endpoint
/// listening. `pxelab run`, the flow commands and the tests open one; everything acts on the
/// devices through its ``fleet``.
public final class RunningLab: Sendable {
    public let lab: Lab
    public let fleet: Fleet
    public let endpoint: BootEndpoint
    /// The Redfish service over the lab's devices, on its own listener.
    public let redfish: RedfishServer
    /// The Redfish listener's port.
    public let redfishPort: Int
    let server: RunningServer
    let devices: any HostedDevices
    let domains: LabDomains
    let client: HTTPClient

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
        /// Where and how the Redfish service listens (HTTPS on a free loopback port by default).
        public var redfish: RedfishServer.Options

        public init(imagesDirectory: URL, timing: LabTiming? = nil, connections: Int = 32, maximumBoots: Int = 8,
                    uriOverride: String? = nil, realDeviceTimeout: Double = 600, endpointPort: Int? = nil,
                    redfish: RedfishServer.Options = .init()) {
            self.imagesDirectory = imagesDirectory
            self.timing = timing
            self.connections = connections
            self.maximumBoots = maximumBoots
            self.uriOverride = uriOverride
            self.realDeviceTimeout = realDeviceTimeout
            self.endpointPort = endpointPort
            self.redfish = redfish
        }
    }

    /// Opens the lab, applies its faults, starts the endpoint and brings the fleet up: on the
    /// embedded default (virtual devices, each run by an in-process agent) or on one QEMU host
    /// (real VMs that network-boot from the endpoint and run the agent inside).
    public static func open(labFile: LabFile, stateRoot: URL, options: Options) async throws -> RunningLab {
        let uris = Set(labFile.devices.map { options.uriOverride ?? labFile.host(of: $0).uri })
        guard uris.count == 1, let uri = uris.first else {
            throw RunError("a run drives one host; the lab file uses \(uris.sorted().joined(separator: ", "))")
        }
        let virtual = EmbeddedHost.isEmbedded(uri)
        // Opening the lab, its faults and its host read and write files, the store and libvirt.
        let (lab, connection) = try await Offload.run { () throws -> (Lab, Connection) in
            if !virtual {
                let undersized = GuestImage.undersizedModels(in: labFile)
                guard undersized.isEmpty else { throw RunError(undersized.joined(separator: "\n")) }
                try GuestImage(imagesDirectory: options.imagesDirectory).ensureBuilt()
            }
            let lab = try Lab(labFile: labFile, stateRoot: stateRoot)
            try lab.applyLabFileFaults()
            // The embedded host is opened once, for provisioning and for the run.
            if !virtual { try HostReachability.check(uri: uri) }
            return (lab, virtual ? try EmbeddedHost.open(in: lab.directory) : try Connection(uri: uri))
        }
        let domains = LabDomains(lab: lab, host: HostLink(connection: connection), uriOverride: options.uriOverride)
        await domains.host.followPowerStates()
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = options.connections
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let devices: any HostedDevices = virtual
            ? VirtualDevices(domains: domains, client: client, connections: options.connections,
                             timing: options.timing ?? labFile.timing, maximumBoots: options.maximumBoots)
            : RealVMs(domains: domains, maximumBoots: options.maximumBoots, timeout: options.realDeviceTimeout)
        let fleet = Fleet(lab: lab, runtime: devices)
        var server: RunningServer?
        var redfish: RedfishServer?
        do {
            var endpointOptions = BootEndpoint.Options(port: options.endpointPort ?? 0, imagesDirectory: options.imagesDirectory)
            endpointOptions.serveDevices(on: [uri], of: labFile)  // the URI the run drives, which --libvirt may change
            // VMs on another machine reach the endpoint at the controller's address towards it, not its loopback.
            let host = labFile.hosts.first { $0.uri == uri } ?? LabHost(name: "--libvirt", uri: uri)
            if let address = BootAddress.listenAddress(for: host) { endpointOptions.alsoListenOn = [try address.get()] }
            let (endpoint, redfishServer) = try await Offload.run { [endpointOptions] in
                (try BootEndpoint(lab: lab, fleet: fleet, attendant: LabAttendant(fleet: fleet), options: endpointOptions),
                 try RedfishServer(service: RedfishService(lab: lab, fleet: fleet), options: options.redfish))
            }
            server = try await endpoint.start()
            let redfishPort = try await redfishServer.start()
            redfish = redfishServer
            try await devices.bringUp(endpointPort: server!.port)
            return RunningLab(lab: lab, fleet: fleet, endpoint: endpoint, redfish: redfishServer, redfishPort: redfishPort, server: server!,
                              devices: devices, domains: domains, client: client)
        } catch {
            // What was started stops again; the error that stopped the opening comes first.
            var problems = ["\(error)"]
            await redfish?.stop()
            await domains.host.stopFollowingPowerStates()
            if let server { do { try await server.stop() } catch { problems.append("stopping the endpoint: \(error)") } }
            do { try await devices.close() } catch { problems.append("saving the devices: \(error)") }
            do { try await client.shutdown() } catch { problems.append("closing the HTTP client: \(error)") }
            if problems.count == 1 { throw error }
            throw RunError(problems.joined(separator: "\n"))
        }
    }

    private init(lab: Lab, fleet: Fleet, endpoint: BootEndpoint, redfish: RedfishServer, redfishPort: Int, server: RunningServer,
                 devices: any HostedDevices, domains: LabDomains, client: HTTPClient) {
        self.lab = lab
        self.fleet = fleet
        self.endpoint = endpoint
        self.redfish = redfish
        self.redfishPort = redfishPort
        self.server = server
        self.devices = devices
        self.domains = domains
        self.client = client
    }

    /// The endpoint's port.
    public var port: Int { server.port }

    /// The libvirt host the devices run on.
    var host: HostLink { domains.host }

    /// Powers every device off, saves the embedded host's state and stops the endpoint. Every
    /// step is taken; what failed is thrown afterwards, together.
    public func close() async throws {
        var problems: [String] = []
        await redfish.stop()
        for device in lab.labFile.devices {
            do { try await devices.powerOff(device) } catch { problems.append("cannot power \(device.name) off: \(error)") }
        }
        await host.stopFollowingPowerStates()
        do { try await devices.close() } catch { problems.append("cannot save the lab's devices: \(error)") }
        do { try await client.shutdown() } catch { problems.append("cannot shut the devices' HTTP client down: \(error)") }
        do { try await server.stop() } catch { problems.append("the endpoint stopped, but its last boot records were lost: \(error)") }
        guard problems.isEmpty else { throw RunError(problems.joined(separator: "\n")) }
    }
}
