public import Foundation
public import DeviceProtocol
public import LabFiles

/// How a lab's devices run: as virtual devices (libvirt's test driver, each with its agent in
/// pxelab) or as real VMs (QEMU through libvirt, the agent inside the guest). The fleet acts on
/// its devices only through this; each way of running implements it once.
public protocol DeviceRuntime: Sendable {
    /// Powers the device on (unless it runs) and follows it to an end state: business-ready, its
    /// desktop, a failure, a reseal (after which it is powered on again for its user, unless the
    /// plan stops there), or a boot loop.
    func run(_ device: LabDevice, _ plan: DeviceRun.Plan) async -> DeviceRun
    /// Powers the device off at once, as pulling its plug does: a flow following the device ends
    /// and fails where the device was (a real VM's run follows its domain; a virtual device's
    /// boot is cut where its agent is).
    func powerOff(_ device: LabDevice) async throws
    /// Whether the device is powered on (its domain runs).
    func isRunning(_ device: LabDevice) async throws -> Bool
    /// Whether the device is powered on, when that is known without asking libvirt (nothing has
    /// changed since it last answered); nil: ask with ``isRunning(_:)``.
    func keptPowerState(of device: LabDevice) -> Bool?
    /// Presses key chords on the device's keyboard; a device without one ignores them.
    func press(_ chords: [KeyChord], on device: LabDevice) async throws
    /// Starts a local Autopilot Reset: Ctrl+Win+R at the lock screen, then a local administrator.
    func startLocalReset(_ device: LabDevice) async throws
    /// Gives the devices factory-fresh disks (what the firmware keeps, it keeps).
    func eraseDisks(of devices: [LabDevice]) async throws
    /// Takes a named snapshot of the device: its domain's and its disk's, noting where it stands.
    func takeSnapshot(of device: LabDevice, named name: String, standing: Standing) async throws
    /// Reverts the device to a named snapshot; returns where it stood when the snapshot was taken.
    func revert(_ device: LabDevice, toSnapshot name: String) async throws -> Standing
    /// What the device's screen shows, as PNG.
    func screen(of device: LabDevice) async throws -> Data
    /// The device, staying on at its desktop or on its error, asked for work and got none.
    func askedForWork(_ device: String, at screen: WaitingScreen)
}

/// Where a device that stays on (a real VM) waits for work.
public enum WaitingScreen: Sendable, Equatable {
    /// Its desktop (business-ready).
    case desktop
    /// The error its deployment attempt ended with.
    case error
}

/// Where a device stands in its life, as the store keeps it: its lifecycle, and the error code it
/// shows while failed.
public struct Standing: Codable, Sendable, Equatable {
    public var lifecycle: DeviceLifecycle
    public var errorCode: UInt32?

    public init(lifecycle: DeviceLifecycle, errorCode: UInt32? = nil) {
        self.lifecycle = lifecycle
        self.errorCode = errorCode
    }
}

/// How a power-on ended.
public struct DeviceRun: Sendable, Equatable {
    public enum End: Sendable, Equatable {
        /// The desktop (or, self-deploying, the sign-in screen), with the device's name.
        case businessReady(deviceName: String)
        /// The device shows an error.
        case failed(phase: OOBEPhase, errorCode: UInt32?, message: String)
        /// Resealed after pre-provisioning, or told to power off.
        case poweredOff
        /// A deployed device at its desktop, with nothing to do.
        case desktop
        /// The endpoint does not know the device.
        case notInLab
        /// The device kept rebooting without reaching an end state.
        case bootLoop
    }

    public var end: End
    /// How many times the device booted.
    public var boots: Int

    /// What a run goes through that would end another.
    public struct Plan: Sendable, Equatable {
        /// A reseal ends the run (the device stays off, as the technician leaves it).
        public var stopAtReseal = false
        /// A recovery is in progress: a broken system's error is not the end, its recovery
        /// screen starts the repair.
        public var repairAtRecovery = false
        /// A device on the error of its last attempt tries again. Each run of a virtual device
        /// is a new boot, which does; a real VM stays on its error until it is restarted.
        public var retryAfterFailure = false

        public init(stopAtReseal: Bool = false, repairAtRecovery: Bool = false, retryAfterFailure: Bool = false) {
            self.stopAtReseal = stopAtReseal
            self.repairAtRecovery = repairAtRecovery
            self.retryAfterFailure = retryAfterFailure
        }
    }

    public init(end: End, boots: Int) {
        self.end = end
        self.boots = boots
    }
}
