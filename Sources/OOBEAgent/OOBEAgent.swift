public import AsyncHTTPClient
import Foundation
public import DeviceIdentity
public import DeviceProtocol

/// The identity the device's firmware exposes (SMBIOS and the NIC), which iPXE sends to the
/// endpoint and the guest reads from `/sys/class/dmi/id`.
public struct FirmwareIdentity: Sendable, Equatable {
    public var serial: String
    public var uuid: String
    public var manufacturer: String
    public var product: String
    /// As iPXE's `${net0/mac:hexhyp}` formats it: `52-54-00-12-34-56`.
    public var mac: String
    public var asset: String

    public init(serial: String, uuid: String, manufacturer: String, product: String, mac: String, asset: String = "") {
        self.serial = serial
        self.uuid = uuid
        self.manufacturer = manufacturer
        self.product = product
        self.mac = mac
        self.asset = asset
    }

    /// What the firmware of a device with this hardware identity exposes (a lab device's, given to
    /// its in-process agent): the SMBIOS values as they are, the UUID in lower case, the MAC as
    /// iPXE formats it and the chassis asset tag.
    public init(_ identity: DeviceIdentity) {
        self.init(serial: identity.serial, uuid: identity.uuid.uuidString.lowercased(),
                  manufacturer: identity.manufacturer, product: identity.product,
                  mac: identity.mac.description.replacingOccurrences(of: ":", with: "-"),
                  asset: identity.chassis.assetTag ?? "")
    }
}

/// The device side of a deployment: one implementation for virtual devices (in-process) and real
/// VMs (inside the guest). It talks to the endpoint over HTTP exactly as a device would, and goes
/// through the phases a real Autopilot device does, keeping its state where a device keeps it.
public struct OOBEAgent: Sendable {
    public var endpoint: String
    public var identity: FirmwareIdentity
    /// The hardware hash at a collection (a reset collects it again).
    public var hardwareHash: @Sendable (Int) -> String
    /// The device's firmware and TPM (self-deploying and pre-provisioning attest its TPM 2.0).
    public var platform: DevicePlatform
    public var storage: any DeviceStorage
    public var timing: Timing
    public var httpClient: HTTPClient
    /// Shared by a fleet of in-process agents: their requests in flight at once (nil: no bound).
    public var requestLimiter: RequestLimiter?
    /// Called with every event the device reports (a real VM prints them on its console).
    public var console: (@Sendable (DeviceEvent) -> Void)?
    /// At the desktop, keep asking the controller for actions this often (seconds) instead of
    /// ending the boot: what a real VM does while it is on.
    public var idlePoll: Double?
    /// The key chords pressed on the device's keyboard since the last call (a real VM reads its
    /// keyboard; virtual devices have none). At the desktop, Ctrl+Win+R starts a local reset.
    public var keyboard: (@Sendable () -> [KeyChord])?
    /// The boot script's values when iPXE already fetched it (a real VM: from the kernel command
    /// line); otherwise the agent fetches the scripts itself, as iPXE would.
    public var bootScript: BootScript?

    public init(endpoint: String, identity: FirmwareIdentity, hardwareHash: @escaping @Sendable (Int) -> String,
                platform: DevicePlatform, storage: any DeviceStorage, timing: Timing = Timing(), httpClient: HTTPClient = .shared) {
        self.endpoint = endpoint
        self.identity = identity
        self.hardwareHash = hardwareHash
        self.platform = platform
        self.storage = storage
        self.timing = timing
        self.httpClient = httpClient
    }

    /// How one boot ended.
    public enum Outcome: Sendable, Equatable {
        /// The desktop (or, self-deploying, the sign-in screen): business-ready.
        case businessReady(deviceName: String)
        /// The device shows an error.
        case failed(phase: OOBEPhase, errorCode: UInt32?, message: String)
        /// Resealed after pre-provisioning, or told to power off.
        case poweredOff
        /// The device reboots (hybrid join, a reset, a reboot fault).
        case reboot
        /// A deployed device booted to its desktop.
        case desktop
        /// The endpoint does not know the device.
        case notInLab
    }

    /// Powers on: network boot, then OOBE or the desktop, as the boot script says. A disk that
    /// cannot be read does not boot: the outcome names the file and what is wrong with it.
    public func boot() async -> Outcome {
        let state: DeviceState?
        do { state = try storage.load() } catch {
            return .failed(phase: .boot, errorCode: nil, message: "the device's disk cannot be read: \(error)")
        }
        return await DeviceBoot(agent: self, state: state).run()
    }
}

extension OOBEAgent.Outcome {
    var isBusinessReady: Bool {
        if case .businessReady = self { return true }
        return false
    }
}
