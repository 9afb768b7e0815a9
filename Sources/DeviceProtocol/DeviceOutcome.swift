/// How a device stands, in the words people and scenarios use: `business-ready` for a deployed
/// device, its lifecycle state otherwise, and what only a run or a flow can tell (a boot loop, a
/// device the lab does not know). Reports, the dashboard, flows and scenario checks all use it.
public enum DeviceOutcome: String, Codable, Sendable, CaseIterable {
    case businessReady = "business-ready"
    case failed
    case bootLoop = "boot-loop"
    case provisioning
    case factory
    case resealed
    case wiped
    case retired
    /// The endpoint knows no such device.
    case notInLab = "not-in-lab"
    case unknown

    /// The outcome a lifecycle state shows.
    public init(_ lifecycle: DeviceLifecycle) {
        switch lifecycle {
        case .deployed: self = .businessReady
        case .failed: self = .failed
        case .provisioning: self = .provisioning
        case .factory: self = .factory
        case .resealed: self = .resealed
        case .wiped: self = .wiped
        case .retired: self = .retired
        }
    }

    /// Whether the device ended in a failure: its error, or a boot loop.
    public var isFailure: Bool { self == .failed || self == .bootLoop }

    /// Whether a device with this outcome is done with what it was doing (not waiting to start
    /// or in the middle of it).
    public var isFinished: Bool {
        switch self {
        case .businessReady, .failed, .bootLoop, .resealed, .retired: true
        case .provisioning, .factory, .wiped, .notInLab, .unknown: false
        }
    }
}
