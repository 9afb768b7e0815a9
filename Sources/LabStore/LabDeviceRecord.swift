public import Foundation
public import DeviceProtocol
public import GRDB

/// A lab device as the controller tracks it: identity for matching requests, lifecycle state,
/// its boot-script token and its event sequence.
public struct LabDeviceRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "labDevice"

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

/// A stored device event.
public struct StoredEvent: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "deviceEvent"

    public var device: String
    public var seq: Int
    public var time: Date
    public var receivedAt: Date
    public var phase: OOBEPhase
    public var step: String
    public var status: StepStatus
    public var errorCode: UInt32?
    public var message: String?

    public var event: DeviceEvent {
        DeviceEvent(seq: seq, time: time, phase: phase, step: step, status: status, errorCode: errorCode, message: message)
    }
}

/// A device that network-booted but matches no lab device: kept for discovery.
public struct SeenDevice: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "seenDevice"

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
public struct IdentityConflict: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "identityConflict"

    /// The serial (or other value) claimed twice.
    public var identity: String
    /// The devices claiming it, comma-separated, sorted.
    public var devices: String
    public var detectedAt: Date
}
