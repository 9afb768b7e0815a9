public import Foundation
import DeviceProtocol
import LabStore
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
    /// The device's run as phases on a time line, for reports.
    public var timeline: DeviceTimeline
}

/// A device's run drawn as a time line: the phases it went through, one after the other, and the
/// moments worth a mark (failures with their error codes, retries, reboots, flows).
public struct DeviceTimeline: Sendable, Codable {
    /// A stretch of time in one phase, in seconds from the start of the run.
    public struct Span: Sendable, Codable, Equatable {
        public var phase: String
        public var start: Double
        public var end: Double
    }

    /// A moment on the time line.
    public struct Mark: Sendable, Codable, Equatable {
        /// `failed` (a failed step), `info` (a retry, a reboot, a fault noticed) or `flow` (a
        /// lifecycle flow's step).
        public var kind: String
        public var time: Double
        public var phase: String
        public var step: String
        public var errorCode: String?
        public var message: String?
    }

    public var spans: [Span]
    public var marks: [Mark]
    /// The device's last events, as lines (`12.30s esp-device-setup/app:teams failed 0x80070643: ...`).
    public var lastEvents: [String]
}

extension DeviceTimeline {
    /// Builds a device's time line from its events, relative to `origin`. A phase lasts from its
    /// first event to the next phase's first event (the last one to its last event).
    init(events: [StoredEvent], origin: Date, keepLast: Int = 12) {
        var spans: [Span] = []
        var marks: [Mark] = []
        for event in events {
            let time = event.time.timeIntervalSince(origin)
            if let last = spans.last, last.phase == event.phase.rawValue {
                spans[spans.count - 1].end = time
            } else {
                if !spans.isEmpty { spans[spans.count - 1].end = time }
                spans.append(Span(phase: event.phase.rawValue, start: time, end: time))
            }
            // A failure is reported twice: by its step and by the outcome; mark the step.
            let kind: String? = switch event.status {
            case .failed where event.step != DeviceEvent.outcomeStep: "failed"
            case .info: "info"
            case _ where event.phase == .lifecycle && event.status != .progress: "flow"
            default: nil
            }
            if let kind {
                marks.append(Mark(kind: kind, time: time, phase: event.phase.rawValue, step: event.step,
                                  errorCode: event.errorCode.map(ErrorCode.text), message: event.message))
            }
        }
        self.spans = spans
        self.marks = marks
        self.lastEvents = events.suffix(keepLast).map { event in
            String(format: "%.2fs ", event.time.timeIntervalSince(origin)) + "\(event.phase.rawValue)/\(event.step) \(event.status.rawValue)"
                + (event.errorCode.map { " " + ErrorCode.text($0) } ?? "") + (event.message.map { ": " + $0 } ?? "")
        }
    }
}

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
    /// The devices the step acted on or checked.
    public var devices: [String]
    /// What was checked, what happened and what went wrong.
    public var checks: [StepCheck]
    public var seconds: Double
    /// Flows the step ran.
    public var flows: [FlowResult]

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
