public import LabStore
public import DeviceProtocol

/// What a device's events say, read one way wherever it is read: flows, reports and scenario checks.
extension BidirectionalCollection where Element == StoredEvent {
    /// The failure that ended the device's last deployment attempt (its `outcome` step).
    public var lastFailure: StoredEvent? {
        last { $0.step == ProtocolStep.outcome && $0.status == .failed }
    }

    /// The device's last arrival at its desktop, business-ready, with its name.
    public var lastReady: StoredEvent? {
        last { $0.phase == .desktop && $0.step == ProtocolStep.ready && $0.status == .completed }
    }

    /// The Autopilot event (807, 815) the device reported first.
    public var autopilotEvent: Int? {
        lazy.compactMap(\.autopilotEvent).first
    }
}

extension Lab {
    /// How a device stands now, by name.
    public func outcome(of name: String) throws -> DeviceOutcome {
        try store.device(named: name).map { DeviceOutcome($0.lifecycle) } ?? .notInLab
    }

    /// A device's events in order (by name or serial).
    public func events(of key: String) throws -> [StoredEvent] {
        try store.events(of: device(key).name)
    }
}
