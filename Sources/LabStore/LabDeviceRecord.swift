public import Foundation
public import DeviceProtocol
import GRDB

/// A lab device as the controller tracks it: identity for matching requests, lifecycle state,
/// its boot-script token and its event sequence.
public struct LabDeviceRecord: Codable, Sendable, Equatable {

    /// The device's name in the lab (its libvirt domain name).
    public var name: String
    public var serial: String
    /// Lower-case, colon-separated.
    public var mac: String
    /// Lower-case.
    public var uuid: String
    public var manufacturer: String
    public var product: String
    /// The model id in the lab file.
    public var model: String
    public var lifecycle: DeviceLifecycle
    /// The error code of the last failure, while the device is failed.
    public var errorCode: UInt32?
    /// The per-device secret its boot script hands it; it authenticates the device's requests.
    public var token: String
    /// The highest event sequence number stored.
    public var lastSeq: Int
    /// How many times the device fetched its boot script.
    public var bootCount: Int
    /// The hardware hash the device last presented.
    public var lastHash: String?
    /// What the device's firmware last sent when it fetched its boot script (the `/ipxe` query).
    public var bootIdentity: String?
    public var lastSeenAt: Date?
    public var updatedAt: Date

    public init(name: String, serial: String, mac: String, uuid: String, manufacturer: String, product: String,
                model: String, lifecycle: DeviceLifecycle = .factory, errorCode: UInt32? = nil, token: String,
                lastSeq: Int = 0, bootCount: Int = 0, lastHash: String? = nil, lastSeenAt: Date? = nil, updatedAt: Date) {
        self.name = name
        self.serial = serial
        self.mac = mac
        self.uuid = uuid
        self.manufacturer = manufacturer
        self.product = product
        self.model = model
        self.lifecycle = lifecycle
        self.errorCode = errorCode
        self.token = token
        self.lastSeq = lastSeq
        self.bootCount = bootCount
        self.lastHash = lastHash
        self.lastSeenAt = lastSeenAt
        self.updatedAt = updatedAt
    }
}

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

/// A device that network-booted but matches no lab device: kept for discovery.
public struct SeenDevice: Codable, Sendable, Equatable {

    /// What identified it: the MAC if it sent one, else the UUID, else the serial.
    public var key: String
    public var mac: String?
    public var uuid: String?
    public var serial: String?
    public var manufacturer: String?
    public var product: String?
    public var firstSeen: Date
    public var lastSeen: Date
    public var count: Int
}

/// Two or more lab devices that claim one identity, reported instead of silently picked.
public struct IdentityConflict: Codable, Sendable, Equatable {

    /// The serial (or other value) claimed twice.
    public var identity: String
    /// The devices claiming it, comma-separated, sorted.
    public var devices: String
    public var detectedAt: Date
}

extension LabDeviceRecord: StoredValue {
    static let databaseTableName = "labDevice"

    /// Read column by column: every device request reads a device row, and decoding one through
    /// `Codable` costs several times as much.
    init(row: Row) throws {
        name = row["name"]
        serial = row["serial"]
        mac = row["mac"]
        uuid = row["uuid"]
        manufacturer = row["manufacturer"]
        product = row["product"]
        model = row["model"]
        lifecycle = try StoredEnum.read(row, "lifecycle")
        errorCode = (row["errorCode"] as Int64?).map { UInt32(truncatingIfNeeded: $0) }
        token = row["token"]
        lastSeq = row["lastSeq"]
        bootCount = row["bootCount"]
        lastHash = row["lastHash"]
        bootIdentity = row["bootIdentity"]
        lastSeenAt = row["lastSeenAt"]
        updatedAt = row["updatedAt"]
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

extension SeenDevice: StoredValue {
    static let databaseTableName = "seenDevice"
}

extension IdentityConflict: StoredValue {
    static let databaseTableName = "identityConflict"
}

/// A list of aspects in a column, as their names separated by commas (NULL: no list).
enum StoredAspects {
    static func text(_ aspects: [DeviceAspect]?) -> String? {
        aspects.map { $0.map(\.rawValue).joined(separator: ",") }
    }

    static func read(_ row: Row, _ column: String) throws -> [DeviceAspect]? {
        guard let text: String = row[column] else { return nil }
        return try text.split(separator: ",").map { name in
            guard let aspect = DeviceAspect(rawValue: String(name)) else {
                throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "'\(name)' is not an aspect of a device, in \(column)")
            }
            return aspect
        }
    }
}

/// An enum column, stored as its raw value.
enum StoredEnum {
    static func read<Value: RawRepresentable>(_ row: Row, _ column: String) throws -> Value where Value.RawValue == String {
        let text: String = row[column]
        guard let value = Value(rawValue: text) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "'\(text)' is not a valid \(column)")
        }
        return value
    }
}

/// Dates as GRDB stores them (`2026-11-25 09:30:00.125`, UTC), written without the
/// `DateFormatter` GRDB uses: the hot statements (every event, every boot) bind this text.
enum StoredDate {
    static func text(_ date: Date) -> String {
        // As Foundation hands the time to ICU: milliseconds since 1970 from the reference date,
        // rounded to the nearest, a half up (-0.5 ms is 0, not -1, before 1970 too).
        let milliseconds = ((date.timeIntervalSinceReferenceDate + Date.timeIntervalBetween1970AndReferenceDate) * 1000 + 0.5).rounded(.down)
        return ISO8601.format(milliseconds: Int64(milliseconds), separator: UInt8(ascii: " "), zulu: false)
    }
}
