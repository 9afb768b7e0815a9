import Foundation

/// How one scenario step went.
public struct StepResult: Sendable, Codable {
    public var index: Int
    public var name: String?
    public var line: Int
    /// What the step did, in a few words.
    public var summary: String
    public var passed: Bool
    /// The devices the step acted on or checked.
    public var devices: [String]
    /// What was checked, what happened and what went wrong.
    public var checks: [StepCheck]
    public var seconds: Double
    /// Flows the step ran.
    public var flows: [FlowResult]

    /// A step begun at `line`, passed until a check fails.
    public init(index: Int, name: String?, line: Int, summary: String, passed: Bool = true, devices: [String] = [],
                checks: [StepCheck] = [], seconds: Double = 0, flows: [FlowResult] = []) {
        self.index = index
        self.name = name
        self.line = line
        self.summary = summary
        self.passed = passed
        self.devices = devices
        self.checks = checks
        self.seconds = seconds
        self.flows = flows
    }

    /// The checks as lines of text.
    public var details: [String] { checks.map(\.line) }
}

/// One thing a scenario step checked or noted, on one device or on the step as a whole.
public struct StepCheck: Sendable, Codable, Equatable {
    public var device: String?
    /// Whether an assertion held; nil for a note (what a flow did, what was imported).
    public var passed: Bool?
    public var text: String

    public init(device: String?, passed: Bool?, text: String) {
        self.device = device
        self.passed = passed
        self.text = text
    }

    /// `sales-01: FAILED error 0x800705B4 (is none)`.
    public var line: String {
        (device.map { "\($0): " } ?? "") + (passed.map { $0 ? "ok " : "FAILED " } ?? "") + text
    }
}
