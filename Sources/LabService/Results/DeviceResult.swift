public import DeviceProtocol
public import Autopilot

/// How one device's run ended, against what the lab file expects.
public struct DeviceResult: Sendable, Codable {
    public var device: String
    public var model: String
    /// Its model's firmware, Secure Boot and TPM, as people read them (`UEFI, Secure Boot on, TPM 2.0`).
    public var platform: String
    /// The scenario its profile deploys it in; nil without a profile.
    public var mode: AutopilotScenario?
    public var result: DeviceOutcome
    public var errorCode: ErrorCode?
    /// The phase the deployment failed in.
    public var failedPhase: OOBEPhase?
    /// The Autopilot event (807, 815) the device reported.
    public var event: Int?
    public var deviceName: String?
    public var message: String?
    /// The time spent in each phase, in seconds (the sum of its stretches).
    public var phaseSeconds: [OOBEPhase: Double]
    public var totalSeconds: Double
    /// What the lab file expects, for people (`failed 0x80070774 in identity`), or `-`.
    public var expected: String
    public var asExpected: Bool
    /// The device's run as phases on a time line, for reports.
    public var timeline: DeviceTimeline

    /// Seconds in these phases together; nil when the device went through none of them.
    public func seconds(in phases: [OOBEPhase]) -> Double? {
        let spent = phases.compactMap { phaseSeconds[$0] }
        return spent.isEmpty ? nil : spent.reduce(0, +)
    }
}
