public import Foundation
public import DeviceProtocol
public import LabStore

/// A device's run drawn as a time line: the phases it went through, one after the other, and the
/// moments worth a mark (failures with their error codes, retries, reboots, flows).
public struct DeviceTimeline: Sendable, Codable {
    /// A stretch of time in one phase, in seconds from the start of the run.
    public struct Span: Sendable, Codable, Equatable {
        public var phase: OOBEPhase
        public var start: Double
        public var end: Double
    }

    /// What a mark marks.
    public enum MarkKind: String, Sendable, Codable, CaseIterable {
        /// A failed step.
        case failed
        /// A retry, a reboot, a fault noticed.
        case info
        /// A lifecycle flow's step.
        case flow
    }

    /// A moment on the time line.
    public struct Mark: Sendable, Codable, Equatable {
        public var kind: MarkKind
        public var time: Double
        public var phase: OOBEPhase
        public var step: String
        public var errorCode: ErrorCode?
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
    public init(events: [StoredEvent], origin: Date, keepLast: Int = 12) {
        var spans: [Span] = []
        var marks: [Mark] = []
        for event in events {
            let time = event.time.timeIntervalSince(origin)
            if let last = spans.last, last.phase == event.phase {
                spans[spans.count - 1].end = time
            } else {
                if !spans.isEmpty { spans[spans.count - 1].end = time }
                spans.append(Span(phase: event.phase, start: time, end: time))
            }
            // A failure is reported twice: by its step and by the outcome; mark the step.
            let kind: MarkKind? = switch event.status {
            case .failed where event.step != ProtocolStep.outcome: .failed
            case .info: .info
            case _ where event.phase == .lifecycle && event.status != .progress: .flow
            default: nil
            }
            if let kind {
                marks.append(Mark(kind: kind, time: time, phase: event.phase, step: event.step,
                                  errorCode: event.errorCode.map(ErrorCode.init), message: event.message))
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
