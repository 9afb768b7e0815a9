public import Foundation
public import LabFiles
public import LabStore
import Synchronization

/// A lab opened for work: its lab file, its state folder, its store and its Autopilot service.
/// Opening registers the lab file's devices that are not registered yet. Every front door (the
/// CLI, the admin API, scenarios, the dashboard) works on a lab through this and ``Fleet``.
public final class Lab: Sendable {
    public let labFile: LabFile
    public let directory: LabDirectory
    public let store: LabStore
    public let autopilot: AutopilotService
    public let clock: @Sendable () -> Date
    /// Lab devices by name and by serial.
    private let devicesByKey: [String: LabDevice]
    /// The Graph door's throttling and faults in force, and how many times they were replaced.
    private let graphState: Mutex<(settings: GraphSettings, revision: Int)>
    /// Each device's boot source override (by device name); absent: none.
    private let bootOverrides = Mutex<[String: BootOverride]>([:])

    /// The endpoint's port when none is given. Real VMs carry it in their boot file URL
    /// (`http://10.0.2.2:PORT/boot.ipxe`), so a fixed port keeps their definitions stable.
    public static let defaultEndpointPort = 7480

    /// The address QEMU's user-mode network gives the host, as seen from inside a real VM.
    public static let hostAddressFromGuest = "10.0.2.2"

    public init(labFile: LabFile, stateRoot: URL, clock: @escaping @Sendable () -> Date = Date.init) throws {
        let directory = LabDirectory(root: stateRoot, lab: labFile.lab)
        // Devices that name no host are where `up` placed them.
        self.labFile = try LabPlacement.load(from: directory)?.devices.map(labFile.placing) ?? labFile
        self.clock = clock
        self.directory = directory
        try directory.create()
        self.store = try LabStore(path: directory.path(LabStore.fileName()))
        // The store's devices are the lab file's: new ones get a token, changed ones their identity.
        try store.syncDevices(labFile.devices.map { device in
            LabDeviceRecord(name: device.name, serial: device.identity.serial, mac: device.identity.mac.description,
                            uuid: device.identity.uuid.uuidString.lowercased(), manufacturer: device.identity.manufacturer,
                            product: device.identity.product, model: device.model, token: Secret.make(), updatedAt: clock())
        })
        // The lab file's configuration, or the stored one while the lab file has not changed since
        // (changes made through the admin API live there).
        let configuration = try store.configuration(fromLabFile: labFile.serviceConfiguration)
        self.autopilot = AutopilotService(store: store, configuration: configuration, clock: clock)
        try autopilot.registerFleet(of: labFile)
        try LabPlacement.remember(labFile: labFile, in: directory)
        // The first device in fleet order wins a key, by name or by serial.
        var byKey: [String: LabDevice] = [:]
        for device in labFile.devices.reversed() {
            byKey[device.identity.serial] = device
            byKey[device.name] = device
        }
        self.devicesByKey = byKey
        self.graphState = Mutex((labFile.graph, 0))
    }

    /// The Graph door's throttling and injected faults: the lab file's `graph` section until they
    /// are replaced on the running lab (not stored: the next run starts from the lab file again).
    public var graphSettings: (settings: GraphSettings, revision: Int) { graphState.withLock { $0 } }

    /// A device's boot source override (none set: `None`, `Disabled`).
    public func bootOverride(of key: String) throws -> BootOverride {
        let name = try device(key).name
        return bootOverrides.withLock { $0[name] } ?? BootOverride()
    }

    /// Sets a device's boot source override, in force from its next boot.
    public func setBootOverride(_ override: BootOverride, of key: String) throws {
        let name = try device(key).name
        bootOverrides.withLock { $0[name] = override }
    }

    /// The override a device's boot honours (nil when none is enabled); a `once` override is
    /// spent: it reads `disabled` from now on.
    public func spendBootOverride(of name: String) -> BootOverride? {
        bootOverrides.withLock { overrides in
            guard var override = overrides[name], override.enabled != .disabled, override.target != .none else { return nil }
            let honoured = override
            if override.enabled == .once {
                override.enabled = .disabled
                overrides[name] = override
            }
            return honoured
        }
    }

    /// Replaces the Graph door's throttling and faults; each fault's count starts again.
    public func replaceGraphSettings(_ settings: GraphSettings) {
        graphState.withLock { $0 = (settings, $0.revision + 1) }
    }

    /// The lab device with this name or serial.
    public func device(_ key: String) throws(LabError) -> LabDevice {
        guard let device = devicesByKey[key] else { throw .noDevice(key, lab: labFile.lab) }
        return device
    }

    /// The lab file of the only lab under a state root, for commands run without `--lab`.
    public static func onlyLabFile(under root: URL) throws -> String {
        let labs = try labFiles(under: root)
        guard labs.count == 1 else { throw LabError.labNotChosen(root: root.path, labs: labs) }
        return labs[0]
    }

    /// The lab files of the labs under a state root.
    public static func labFiles(under root: URL) throws -> [String] {
        try LabDirectory.all(under: root).compactMap { try LabPlacement.load(from: $0)?.labFilePath }
    }
}
