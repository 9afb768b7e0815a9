public import DeviceProtocol

/// One step of a lab's scenario: an action on devices or on the Autopilot service, or a check.
public struct ScenarioStep: Sendable, Equatable {
    /// An optional label, used by `pxelab run --only/--from`.
    public var name: String?
    /// The line the step starts on, for reports.
    public var line: Int
    public var action: Action

    public init(name: String?, line: Int, action: Action) {
        self.name = name
        self.line = line
        self.action = action
    }

    public indirect enum Action: Sendable, Equatable {
        /// Power on and run the Autopilot flow on the devices.
        case deploy(DeviceSelector)
        /// Wait until the devices reach a state.
        case wait(DeviceSelector, state: DeviceOutcome, timeoutSeconds: Double)
        /// Check devices against expectations.
        case expect(Expectation)
        /// Autopilot Reset, local (Ctrl+Win+R at the lock screen) or remote (MDM action).
        case reset(DeviceSelector, remote: Bool)
        /// Wipe and re-run Autopilot, optionally with a new group tag or user.
        case repurpose(DeviceSelector, wipe: WipeKind, groupTag: String?, assignedUser: String?)
        /// Break a device on purpose.
        case breakDevice(DeviceSelector, how: BreakKind)
        /// Bring a broken device back to business-ready.
        case recover(DeviceSelector, method: RecoveryMethod)
        /// Unenroll, remove company data and delete the Autopilot record.
        case retire(DeviceSelector)
        /// Inject a fault (or, with nil, clear the devices' faults).
        case fault(DeviceSelector, Fault?)
        /// Power the devices on, off or reboot them.
        case power(DeviceSelector, PowerAction)
        /// Take a named snapshot.
        case snapshot(DeviceSelector, name: String)
        /// Revert to a named snapshot.
        case revert(DeviceSelector, name: String)
        /// Register devices from a hardware-hash CSV.
        case importCSV(path: String)
        /// Change the devices' group tag.
        case setGroupTag(DeviceSelector, groupTag: String)
        /// Assign a profile to groups.
        case assignProfile(profile: String, groups: [String])
        /// Run steps at the same time.
        case parallel([ScenarioStep])
    }
}

/// Which devices a step acts on.
public enum DeviceSelector: Sendable, Equatable {
    case all
    /// By device name or serial.
    case devices([String])
    /// Members of a group (by display name).
    case group(String)
    /// Devices of a model.
    case model(String)
    /// Devices with a group tag.
    case groupTag(String)
}

/// What an `expect` step checks.
public struct Expectation: Sendable, Equatable {
    public var devices: DeviceSelector
    public var state: DeviceOutcome?
    public var errorCode: UInt32?
    public var phase: OOBEPhase?
    /// `phase/step` or `phase/step/status` patterns (`*` matches any part).
    public var eventPresent: [String]
    public var eventAbsent: [String]
    public var maxSeconds: Double?
    public var minSeconds: Double?
    public var kept: [DeviceAspect]
    public var removed: [DeviceAspect]
    /// The name the device got at its last business-ready desktop; `*` matches any characters.
    public var deviceName: String?
}
