public import Foundation

/// One progress report from a device: what it did, when, and with what outcome.
public struct DeviceEvent: Codable, Sendable, Equatable {
    /// The device's own sequence number: 1 for its first event, then +1 for each. The endpoint
    /// stores each (device, seq) once, so a retry after a lost response is harmless.
    public var seq: Int
    /// When the device did it (its clock).
    public var time: Date
    public var phase: OOBEPhase
    /// A step within the phase, such as `download`, `page:language`, `app:company-portal`.
    public var step: String
    public var status: StepStatus
    /// A Windows error code such as 0x800705B4, when the step failed.
    public var errorCode: UInt32?
    /// What happened, for people. Code reads the fields below, never this.
    public var message: String?
    /// The Autopilot diagnostics event the step raised: 807 (not registered) or 815 (no profile).
    public var autopilotEvent: Int?
    /// The computer name the device has, on the `desktop` `ready` event.
    public var deviceName: String?
    /// What a lifecycle flow's action kept and removed on the device, on its `completed` event.
    public var kept: [DeviceAspect]?
    public var removed: [DeviceAspect]?

    public init(seq: Int, time: Date, phase: OOBEPhase, step: String, status: StepStatus, errorCode: UInt32? = nil,
                message: String? = nil, autopilotEvent: Int? = nil, deviceName: String? = nil, kept: [DeviceAspect]? = nil,
                removed: [DeviceAspect]? = nil) {
        self.seq = seq
        self.time = time
        self.phase = phase
        self.step = step
        self.status = status
        self.errorCode = errorCode
        self.message = message
        self.autopilotEvent = autopilotEvent
        self.deviceName = deviceName
        self.kept = kept
        self.removed = removed
    }

}

/// `POST /oobe/v1/events`: one or more events from one device, in order.
public struct EventBatch: Codable, Sendable, Equatable {
    /// The device's name (from its boot script).
    public var device: String
    public var events: [DeviceEvent]

    public init(device: String, events: [DeviceEvent]) {
        self.device = device
        self.events = events
    }
}

/// The endpoint's answer to an event batch.
public struct EventReceipt: Codable, Sendable, Equatable {
    /// Events stored by this request.
    public var stored: Int
    /// Events that were already stored (retries).
    public var duplicates: Int
    /// The highest sequence number the endpoint holds for the device.
    public var lastSeq: Int

    public init(stored: Int, duplicates: Int, lastSeq: Int) {
        self.stored = stored
        self.duplicates = duplicates
        self.lastSeq = lastSeq
    }
}

/// A Windows error code, such as `0x800705B4`: written and read as Windows writes it (in JSON
/// too, where results and reports carry it; device events carry the number).
public struct ErrorCode: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// `0x800705B4`.
    public var description: String { Self.text(value) }

    /// `0x800705B4`.
    public static func text(_ code: UInt32) -> String {
        let hex = String(code, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    /// Reads `0x800705B4` or a decimal number.
    public static func parse(_ text: String) -> UInt32? {
        let lower = text.lowercased()
        return lower.hasPrefix("0x") ? UInt32(lower.dropFirst(2), radix: 16) : UInt32(lower)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an error code such as 0x800705B4")
        }
        self.value = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
