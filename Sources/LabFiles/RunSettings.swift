public import DeviceProtocol

/// How fast a lab's devices go through their steps.
public struct LabTiming: Sendable, Equatable {
    /// Realistic step durations are multiplied by this: 0 is instant, 1 real time.
    public var scale: Double
    /// Each step takes up to this fraction longer or shorter.
    public var jitter: Double

    public init(scale: Double = 0, jitter: Double = 0) {
        self.scale = scale
        self.jitter = jitter
    }
}

/// The user's answers to the OOBE pages the profile does not hide.
public struct UserAnswers: Sendable, Equatable {
    public var language: String
    public var region: String
    public var keyboard: String

    public init(language: String = "en-US", region: String = "US", keyboard: String = "us") {
        self.language = language
        self.region = region
        self.keyboard = keyboard
    }
}

/// Faults declared in the lab file, with the devices they apply to.
public struct FaultRule: Sendable, Equatable {
    public var devices: FaultTargets
    public var fault: Fault
    /// The line the rule starts on.
    public var line: Int
}

/// Which devices a fault rule applies to.
public enum FaultTargets: Sendable, Equatable {
    /// By name or serial.
    case devices([String])
    case model(String)
    /// Members of a group.
    case group(String)
    /// A deterministic share of the fleet (by device name), in percent.
    case percent(Double)
}

/// What a device is expected to end as after `pxelab run`.
public struct DeviceExpectation: Sendable, Equatable {
    /// The outcomes a device may be expected to end a run with.
    public static let states: [DeviceOutcome] = [.businessReady, .failed, .resealed, .retired]

    public var state: DeviceOutcome
    public var errorCode: UInt32?
    public var phase: OOBEPhase?
    /// An Autopilot event id (807, 815) the device must report.
    public var event: Int?

    public init(state: DeviceOutcome = .businessReady, errorCode: UInt32? = nil, phase: OOBEPhase? = nil, event: Int? = nil) {
        self.state = state
        self.errorCode = errorCode
        self.phase = phase
        self.event = event
    }
}
