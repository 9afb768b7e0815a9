import Foundation
import GRDB
public import Autopilot

/// The Autopilot service's configuration as stored, with the fingerprint of the lab file's
/// configuration it started from.
struct StoredConfiguration: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "serviceConfiguration"
    var id: Int = 1
    var json: String
    var labFingerprint: String
}

extension LabStore {
    /// The configuration in force: the stored one (with changes made through the admin API) while
    /// the lab file's configuration is the one it started from; the lab file's, stored anew, when
    /// the lab file changed since (its edits win) or nothing is stored yet.
    public func configuration(fromLabFile labFile: ServiceConfiguration) throws -> ServiceConfiguration {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let fingerprint = Self.fingerprint(try encoder.encode(labFile))
        return try write { db in
            if let stored = try StoredConfiguration.fetchOne(db, key: 1), stored.labFingerprint == fingerprint {
                return try JSONDecoder().decode(ServiceConfiguration.self, from: Data(stored.json.utf8))
            }
            try StoredConfiguration(json: String(decoding: try encoder.encode(labFile), as: UTF8.self),
                                    labFingerprint: fingerprint).save(db)
            return labFile
        }
    }

    /// Stores a configuration changed through the admin API, keeping the lab file's fingerprint.
    public func saveConfiguration(_ configuration: ServiceConfiguration) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(configuration), as: UTF8.self)
        try write { db in
            guard var stored = try StoredConfiguration.fetchOne(db, key: 1) else {
                try StoredConfiguration(json: json, labFingerprint: "").save(db)
                return
            }
            stored.json = json
            try stored.update(db)
        }
    }

    /// A short stable fingerprint (FNV-1a, 64 bits) of bytes.
    private static func fingerprint(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
