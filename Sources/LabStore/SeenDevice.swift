public import Foundation
import GRDB

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

extension SeenDevice: StoredValue {
    static let databaseTableName = "seenDevice"
}
