import Foundation
import GRDB
public import DeviceProtocol

/// A fault waiting for a device.
struct StoredFault: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "deviceFault"
    var device: String
    var id: String
    var json: String
}

extension LabStore {
    /// Faults injected into a running lab carry this prefix, so that the lab file's faults can be
    /// replaced (at the start of a run) without touching them.
    public static let injectedFaultPrefix = "api-"

    /// Replaces a device's faults from the lab file with these, keeping faults added through the
    /// admin API or a scenario (their ids start with ``injectedFaultPrefix``).
    public func setLabFaults(_ faults: [String: [Fault]]) throws {
        let encoder = ProtocolJSON.encoder()
        try write { db in
            try StoredFault.filter(!Column("id").like(Self.injectedFaultPrefix + "%")).deleteAll(db)
            for (device, list) in faults {
                for fault in list {
                    try StoredFault(device: device, id: fault.id, json: String(decoding: try encoder.encode(fault), as: UTF8.self)).save(db)
                }
            }
        }
    }

    /// Adds a fault to a device.
    public func addFault(_ fault: Fault, to device: String) throws {
        let json = String(decoding: try ProtocolJSON.encoder().encode(fault), as: UTF8.self)
        try write { db in try StoredFault(device: device, id: fault.id, json: json).save(db) }
    }

    /// Removes a device's faults; returns how many there were.
    @discardableResult
    public func clearFaults(of device: String) throws -> Int {
        try clearFaults(of: [device])
    }

    /// Removes several devices' faults in one transaction; returns how many there were.
    @discardableResult
    public func clearFaults(of devices: [String]) throws -> Int {
        try write { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM deviceFault WHERE device = ?")
            return try devices.reduce(0) { count, device in
                try delete.execute(arguments: [device])
                return count + db.changesCount
            }
        }
    }

    /// The serials of the lab devices that have a fault of this kind (the service's own faults,
    /// such as `never-assigned`, are kept with the devices' and read this way).
    public func serials(withFault kind: Fault.Kind) throws -> Set<String> {
        let decoder = ProtocolJSON.decoder()
        return try readOne { db in
            // The text match keeps the decoding to the few candidate rows.
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT labDevice.serial, deviceFault.json FROM deviceFault JOIN labDevice ON labDevice.name = deviceFault.device
                WHERE instr(deviceFault.json, ?) > 0
                """), arguments: [kind.rawValue])
            return Set(try rows.compactMap { row -> String? in
                let fault = try decoder.decode(Fault.self, from: Data((row[1] as String).utf8))
                return fault.kind == kind ? row[0] as String : nil
            })
        }
    }

    /// A device's faults.
    public func faults(of device: String) throws -> [Fault] {
        let decoder = ProtocolJSON.decoder()
        return try readOne { db in
            try StoredFault.fetchAll(try db.cachedStatement(sql: "SELECT * FROM deviceFault WHERE device = ? ORDER BY id"),
                                     arguments: [device]).map {
                try decoder.decode(Fault.self, from: Data($0.json.utf8))
            }
        }
    }
}
