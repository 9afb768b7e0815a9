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
    /// The address that request came from (on another libvirt host, that host's address).
    public var bootClient: String?
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
        bootClient = row["bootClient"]
        lastSeenAt = row["lastSeenAt"]
        updatedAt = row["updatedAt"]
    }
}
