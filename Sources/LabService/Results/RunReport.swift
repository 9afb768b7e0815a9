public import Foundation

/// What a run did.
public struct RunReport: Sendable, Codable {
    public var lab: String
    /// The lab file.
    public var file: String
    public var description: String?
    /// When the run started.
    public var started: Date
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
