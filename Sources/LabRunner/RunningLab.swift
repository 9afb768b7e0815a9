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

/// A lab at work: its devices defined on their libvirt hosts and running there (as virtual devices
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
    /// embedded default (virtual devices, each run by an in-process agent) or on QEMU hosts, one
    /// or several, local or reached through libvirt's remote protocol (real VMs that network-boot
    /// from the endpoint and run the agent inside). The hosts are opened side by side.
    public static func open(labFile: LabFile, stateRoot: URL, options: Options) async throws -> RunningLab {
        // Devices that name no host go where the lab's placement puts them (and stay there);
        // `--libvirt` puts them all on its URI.
        let directory = LabDirectory(root: stateRoot, lab: labFile.lab)
        let labFile = options.uriOverride != nil ? labFile
            : try await Offload.run { try directory.withLock { try HostPlacement.resolve(labFile, in: directory) } }
        let hosts = runHosts(of: labFile, uriOverride: options.uriOverride)
        let embedded = hosts.filter { EmbeddedHost.isEmbedded($0.uri) }
        guard embedded.isEmpty || embedded.count == hosts.count else {
            throw RunError("a run drives either the embedded default or QEMU hosts, not both; the lab file puts devices on "
                + hosts.map { "\($0.name) (\($0.uri))" }.joined(separator: ", "))
        }
        let virtual = !embedded.isEmpty
        // Opening the lab, its faults and its hosts read and write files, the store and libvirt.
        let lab = try await Offload.run { () throws -> Lab in
            if !virtual {
                let undersized = GuestImage.undersizedModels(in: labFile)
                guard undersized.isEmpty else { throw RunError(undersized.joined(separator: "\n")) }
                try GuestImage(imagesDirectory: options.imagesDirectory).ensureBuilt()
            }
            let lab = try Lab(labFile: labFile, stateRoot: stateRoot)
            try lab.applyLabFileFaults()
            return lab
        }
        // The embedded host is opened once, for provisioning and for the run; QEMU hosts side by
        // side (a host that does not answer costs its connect time limit once).
        let connections = try await Offload.run {
            virtual ? [try EmbeddedHost.open(in: lab.directory)] : try HostReachability.connect(hosts.map(\.uri))
        }
        let links = zip(hosts, connections).map { HostLink(uri: $0.uri, connection: $1) }
        let domains = LabDomains(lab: lab, hosts: Dictionary(uniqueKeysWithValues: links.map { ($0.uri, $0) }),
                                 uriOverride: options.uriOverride)
        for link in links { await link.followPowerStates() }
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
            endpointOptions.serveDevices(on: hosts, of: labFile)  // the hosts the run drives, which --libvirt may change
            // VMs on another machine reach the endpoint at the controller's address towards it, not its loopback.
            var addresses: [String] = []
            for host in hosts {
                guard let address = try BootAddress.listenAddress(for: host)?.get(), !addresses.contains(address) else { continue }
                addresses.append(address)
                // Behind a NAT its VMs reach the controller at the address the lab file gives.
                if let given = host.bootAddress, given != address { endpointOptions.guestAddresses[address] = given }
            }
            endpointOptions.alsoListenOn = addresses
            let (endpoint, redfishServer) = try await Offload.run { [endpointOptions] in
                let endpoint = try BootEndpoint(lab: lab, fleet: fleet, attendant: LabAttendant(fleet: fleet), options: endpointOptions)
                var redfishOptions = options.redfish
                redfishOptions.connectionObserver = endpoint.redfishConnections
                return (endpoint, try RedfishServer(service: RedfishService(lab: lab, fleet: fleet), options: redfishOptions))
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
            for link in links { await link.close() }
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

    /// The link to the libvirt host a device runs on.
    func host(of device: String) throws -> HostLink { try domains.host(of: device) }

    /// The hosts a run drives, one per URI, in the lab file's order (`--libvirt` replaces them all).
    static func runHosts(of labFile: LabFile, uriOverride: String?) -> [LabHost] {
        var hosts: [LabHost] = []
        for device in labFile.devices {
            let host = DeviceDomain.host(of: device, in: labFile, uriOverride: uriOverride)
            if !hosts.contains(where: { $0.uri == host.uri }) { hosts.append(host) }
        }
        return hosts
    }

    /// Powers every device off (side by side: a lost host costs its grace once), saves the
    /// embedded host's state and stops the endpoint. Every step is taken; what failed is thrown
    /// afterwards, together.
    public func close() async throws {
        var problems: [String] = []
        await redfish.stop()
        let devices = devices
        await withTaskGroup(of: String?.self) { group in
            for device in lab.labFile.devices {
                group.addTask {
                    do { try await devices.powerOff(device) } catch { return "cannot power \(device.name) off: \(error)" }
                    return nil
                }
            }
            for await problem in group { if let problem { problems.append(problem) } }
        }
        problems.sort()
        for link in domains.links { await link.close() }
        do { try await devices.close() } catch { problems.append("cannot save the lab's devices: \(error)") }
        do { try await client.shutdown() } catch { problems.append("cannot shut the devices' HTTP client down: \(error)") }
        do { try await server.stop() } catch { problems.append("the endpoint stopped, but its last boot records were lost: \(error)") }
        guard problems.isEmpty else { throw RunError(problems.joined(separator: "\n")) }
    }
}
