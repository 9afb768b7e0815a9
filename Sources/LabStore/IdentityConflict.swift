public import Foundation
import GRDB

/// Two or more lab devices that claim one identity, reported instead of silently picked.
public struct IdentityConflict: Codable, Sendable, Equatable {

    /// The serial (or other value) claimed twice.
    public var identity: String
    /// The devices claiming it, comma-separated, sorted.
    public var devices: String
    public var detectedAt: Date
}

extension IdentityConflict: StoredValue {
    static let databaseTableName = "identityConflict"
}
