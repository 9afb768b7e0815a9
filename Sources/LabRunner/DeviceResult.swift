import Foundation
import DeviceProtocol
import LabTopology

/// How one device's run ended, against what the lab file expects.
public struct DeviceResult: Sendable, Codable {
    public var device: String
    public var model: String
    /// The deployment mode of its profile (`user-driven`, `hybrid`, `self-deploying`,
    /// `pre-provisioning`), or `none`.
    public var mode: String
    /// `business-ready`, `failed`, `resealed`, `not-in-lab`, or the device's lifecycle state.
    public var result: String
    public var errorCode: String?
    /// The phase the deployment failed in.
    public var failedPhase: String?
    /// The Autopilot event (807, 815) the device reported.
    public var event: Int?
    public var deviceName: String?
    public var message: String?
    /// Seconds from the first to the last event of each phase, in phase order.
    public var phaseSeconds: [String: Double]
    public var totalSeconds: Double
    public var expected: String
    public var asExpected: Bool
}

/// What a run did.
public struct RunReport: Sendable, Codable {
    public var lab: String
    public var devices: [DeviceResult]
    /// The scenario's steps, when the lab has one.
    public var steps: [StepResult]
    public var seconds: Double
    public var events: Int
    /// The event log written by the run (JSON lines).
    public var eventLog: String

    /// Whether every device ended as the lab file expects and every scenario step passed.
    public var allAsExpected: Bool { devices.allSatisfy(\.asExpected) && steps.allSatisfy(\.passed) }
}

extension DeviceExpectation {
    var summary: String {
        var parts = [state.rawValue]
        if let errorCode { parts.append(ErrorCode.text(errorCode)) }
        if let phase { parts.append("in \(phase.rawValue)") }
        if let event { parts.append("event \(event)") }
        return parts.joined(separator: " ")
    }
}

/// How one scenario step went.
public struct StepResult: Sendable, Codable {
    public var index: Int
    public var name: String?
    public var line: Int
    /// What the step did, in a few words.
    public var summary: String
    public var passed: Bool
    /// What was checked or what went wrong.
    public var details: [String]
    public var seconds: Double
    /// Flows the step ran.
    public var flows: [FlowResult]
}
