public import Foundation
import GRDB
public import DeviceProtocol

/// An action queued for a device, delivered the next time it asks what to do.
struct PendingAction: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "pendingAction"
    var id: Int64?
    var device: String
    var action: String
    var createdAt: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension LabStore {
    /// Queues an action for a device.
    public func enqueue(_ action: NextAction, for device: String, at now: Date) throws {
        let json = String(decoding: try JSONEncoder().encode(action), as: UTF8.self)
        try write { db in
            var pending = PendingAction(id: nil, device: device, action: json, createdAt: now)
            try pending.insert(db)
        }
    }

    /// Takes the oldest queued action for a device, if any. A device asks at every decision and
    /// almost never has one queued: a read finds that out without a write.
    public func dequeueAction(for device: String) throws -> NextAction? {
        let queued = try readOne { db in
            try Bool.fetchOne(try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM pendingAction WHERE device = ?)"),
                              arguments: [device]) ?? false
        }
        guard queued else { return nil }
        return try groupWrite { db in
            guard let pending = try PendingAction.fetchOne(
                try db.cachedStatement(sql: "SELECT * FROM pendingAction WHERE device = ? ORDER BY id LIMIT 1"), arguments: [device]) else {
                return nil
            }
            try db.cachedStatement(sql: "DELETE FROM pendingAction WHERE id = ?").execute(arguments: [pending.id])
            return try JSONDecoder().decode(NextAction.self, from: Data(pending.action.utf8))
        }
    }

    /// The actions waiting for a device, oldest first.
    public func pendingActions(for device: String) throws -> [NextAction] {
        try read { db in
            try PendingAction.filter(Column("device") == device).order(Column("id")).fetchAll(db).map {
                try JSONDecoder().decode(NextAction.self, from: Data($0.action.utf8))
            }
        }
    }
}
