public import Foundation
public import DeviceProtocol
import GRDB

/// A stored device event: the event as the device reported it, the device and when the endpoint
/// received it. Reads as the event (`stored.phase`); encodes as the event's fields with `device`
/// and `receivedAt` beside them (a line of a run's event log).
@dynamicMemberLookup
public struct StoredEvent: Codable, Sendable, Equatable {
    public var device: String
    public var receivedAt: Date
    public var event: DeviceEvent

    public init(device: String, receivedAt: Date, event: DeviceEvent) {
        self.device = device
        self.receivedAt = receivedAt
        self.event = event
    }

    public subscript<Value>(dynamicMember field: KeyPath<DeviceEvent, Value>) -> Value { event[keyPath: field] }

    private enum CodingKeys: String, CodingKey { case device, receivedAt }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        device = try container.decode(String.self, forKey: .device)
        receivedAt = try container.decode(Date.self, forKey: .receivedAt)
        event = try DeviceEvent(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try event.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(receivedAt, forKey: .receivedAt)
    }
}

extension StoredEvent: StoredValue {
    static let databaseTableName = "deviceEvent"

    /// Read column by column (a run's report reads every event of the run).
    init(row: Row) throws {
        device = row["device"]
        receivedAt = row["receivedAt"]
        event = DeviceEvent(seq: row["seq"], time: row["time"], phase: try StoredEnum.read(row, "phase"), step: row["step"],
                            status: try StoredEnum.read(row, "status"),
                            errorCode: (row["errorCode"] as Int64?).map { UInt32(truncatingIfNeeded: $0) },
                            message: row["message"], autopilotEvent: row["autopilotEvent"], deviceName: row["deviceName"],
                            kept: try StoredAspects.read(row, "kept"), removed: try StoredAspects.read(row, "removed"))
    }
}
