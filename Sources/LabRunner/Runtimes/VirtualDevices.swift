import Foundation
import AsyncHTTPClient
import DeviceProtocol
import LabController
import LabService
import LabStore
import LabFiles
import Libvirt
import OOBEAgent
import Synchronization

/// Lab devices as virtual devices: libvirt domains on the embedded host (libvirt's test driver,
/// in this process), each running its agent here when powered on, through reboots and power
/// cycles, against the lab's endpoint over real HTTP. A virtual device has no keyboard and no
/// screen of its own: what a person would type goes to it through the endpoint.
final class VirtualDevices: HostedDevices {
    let domains: LabDomains
    let client: HTTPClient
    /// The agents' requests in flight at once (as many as the client has connections).
    let requests: RequestLimiter
    let timing: LabTiming
    /// How many boots a device may go through in one run before it counts as a boot loop.
    let maximumBoots: Int
    /// The endpoint the devices talk to, once the fleet is up.
    private let endpoint = Mutex<String?>(nil)
    /// The boot each running flow is in, by device: a power-off cuts it.
    private let booting = Mutex<[String: Booting]>([:])

    private struct Booting {
        var boot: Task<OOBEAgent.Outcome, Never>?
        var cut = false
    }

    init(domains: LabDomains, client: HTTPClient, connections: Int, timing: LabTiming, maximumBoots: Int) {
        self.domains = domains
        self.client = client
        self.requests = RequestLimiter(limit: connections)
        self.timing = timing
        self.maximumBoots = maximumBoots
    }

    func bringUp(endpointPort port: Int) async throws {
        try await domains.define(endpointPort: port, embedded: embedded.connection)
        endpoint.withLock { $0 = "http://127.0.0.1:\(port)" }
    }

    /// Powers the device off and cuts the boot its flow is in: the agent stops where it is,
    /// reporting and saving nothing more, and the flow fails there.
    func powerOff(_ device: LabDevice) async throws {
        try await domains.powerOff(device.name)
        let boot = booting.withLock { booting -> Task<OOBEAgent.Outcome, Never>? in
            guard booting[device.name] != nil else { return nil }
            booting[device.name]?.cut = true
            return booting[device.name]?.boot
        }
        boot?.cancel()
    }

    func run(_ device: LabDevice, _ plan: DeviceRun.Plan) async -> DeviceRun {
        let name = device.name
        // Registered before anything waits: a power-off from now on cuts this run (the fleet
        // answers one that came before).
        booting.withLock { $0[name] = Booting() }
        defer { booting.withLock { $0[name] = nil } }
        func failed(_ what: String, _ error: any Error, boots: Int) -> DeviceRun {
            DeviceRun(end: .failed(phase: .boot, errorCode: nil, message: "libvirt could not \(what) \(name): \(error)"), boots: boots)
        }
        guard let agent = agent(for: device) else {
            return DeviceRun(end: .failed(phase: .boot, errorCode: nil, message: "the fleet is not up: no endpoint to boot from"),
                             boots: 0)
        }
        do { try await domains.powerOn(name) } catch { return failed("power on", error, boots: 0) }
        var boots = 0
        var outcome = OOBEAgent.Outcome.reboot
        loop: while boots < maximumBoots {
            boots += 1
            let boot = Task { await agent.boot() }
            let cut = booting.withLock { booting in
                booting[name]?.boot = boot
                return booting[name]?.cut ?? false
            }
            if cut { boot.cancel() }
            outcome = await withTaskCancellationHandler { await boot.value } onCancel: { boot.cancel() }
            if booting.withLock({ $0[name]?.cut ?? false }) {
                // Off, even if the flow powered it on again between its boots meanwhile.
                do { try await domains.powerOff(name) } catch { return failed("power off", error, boots: boots) }
                return await pulledPlug(name, how: "powered off (the power-off cut its flow)", boots: boots)
            }
            do {
                switch outcome {
                case .reboot:
                    try await domains.domain(name) { try $0.reboot() }
                case .poweredOff:
                    try await domains.powerOff(name)
                    if plan.stopAtReseal { break loop }
                    try await domains.powerOn(name)  // the user unboxes the resealed device
                case .businessReady, .failed, .desktop, .notInLab:
                    break loop
                }
            } catch {
                return failed("power-cycle", error, boots: boots)
            }
        }
        // The device stays as it ended, powered on at its desktop or its error, as a real VM does
        // (and as a BMC reports it); only a reseal powers it off.
        if boots >= maximumBoots && outcome == .reboot { return DeviceRun(end: .bootLoop, boots: boots) }
        return DeviceRun(end: DeviceRun.End(outcome), boots: boots)
    }

    /// Virtual devices have no keyboard.
    func press(_ chords: [KeyChord], on device: LabDevice) async throws {}

    /// The request a keyboard would make, through the endpoint: the device's next question gets it.
    func startLocalReset(_ device: LabDevice) async throws {
        let lab = domains.lab
        try await Offload.run { try lab.queue(.reset(remote: false), for: device.name) }
    }

    /// Each device's disk rewritten on its own, side by side; the firmware's counters kept.
    func eraseDisks(of devices: [LabDevice]) async throws {
        let domains = domains
        try await Offload.run {
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: devices.count) { index in
                let device = devices[index]
                let storage = domains.storage(of: device.name)
                do {
                    var state = (try storage.load() ?? DeviceState()).wiped()
                    state.winRE = domains.lab.labFile.model(of: device).winRE
                    try storage.save(state)
                } catch {
                    failures.withLock { $0.append("\(device.name): \(error)") }
                }
            }
            if let failure = failures.withLock({ $0.first }) {
                throw LabError.unwritable(file: domains.lab.directory.path("devices").path, problem: "cannot reset a device's disk: \(failure)")
            }
        }
    }

    func askedForWork(_ device: String, at screen: WaitingScreen) {}

    /// The embedded host: a run of virtual devices has only this one.
    private var embedded: HostLink { domains.links[0] }

    /// Saves the embedded host's domains and their run state in the lab folder.
    func close() async throws {
        let domains = domains
        let embedded = embedded
        try await Offload.run { try EmbeddedHost.save(embedded.connection, in: domains.lab.directory) }
    }

    /// The agent of a device, as its firmware and disk present it.
    private func agent(for device: LabDevice) -> OOBEAgent? {
        guard let endpoint = endpoint.withLock({ $0 }) else { return nil }
        let labFile = domains.lab.labFile
        var agent = OOBEAgent(
            endpoint: endpoint, identity: FirmwareIdentity(device.identity),
            hardwareHash: { collection in labFile.hardwareHash(of: device, collection: collection) },
            platform: DevicePlatform(labFile.model(of: device)), storage: domains.storage(of: device.name),
            timing: Timing(scale: timing.scale, jitter: timing.jitter), httpClient: client)
        agent.requestLimiter = requests
        return agent
    }
}

extension DevicePlatform {
    /// A virtual device's firmware and TPM: its model's, as the lab file declares them.
    init(_ model: DeviceModel) {
        let tpm: TPM = switch model.tpm {
        case .none: .none
        case .v1_2: .v1_2
        case .v2_0: .declared
        }
        self.init(uefi: model.firmware == .uefi, secureBoot: model.secureBoot, tpm: tpm)
    }
}

extension DeviceRun.End {
    /// How an agent's boot ended, as the fleet sees it.
    init(_ outcome: OOBEAgent.Outcome) {
        switch outcome {
        case .businessReady(let name): self = .businessReady(deviceName: name)
        case .failed(let phase, let code, let message): self = .failed(phase: phase, errorCode: code, message: message)
        case .poweredOff: self = .poweredOff
        case .reboot: self = .bootLoop
        case .desktop: self = .desktop
        case .notInLab: self = .notInLab
        }
    }
}
