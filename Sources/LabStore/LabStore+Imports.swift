public import Foundation
public import Autopilot
import GRDB

extension ImportedDeviceIdentity: StoredValue {
    static let databaseTableName = "importedDeviceIdentity"
}

extension LabStore {
    /// Every uploaded identity, oldest upload first.
    public func importedIdentities() throws -> [ImportedDeviceIdentity] {
        try read { db in
            try Stored<ImportedDeviceIdentity>.order(Column("uploadedAt"), Column("id")).fetchAll(db).map(\.value)
        }
    }

    public func importedIdentity(id: String) throws -> ImportedDeviceIdentity? {
        try readOne { db in try Stored<ImportedDeviceIdentity>.fetchOne(db, key: id)?.value }
    }

    /// The uploaded identities not processed yet, due or not.
    private static var unprocessed: QueryInterfaceRequest<Stored<ImportedDeviceIdentity>> {
        Stored<ImportedDeviceIdentity>.filter(Column("status") == ImportedDeviceIdentity.Status.unknown.rawValue)
    }

    /// Whether any uploaded identity waits for processing (due or not).
    public func hasUnprocessedImports() throws -> Bool {
        try readOne { db in try Self.unprocessed.fetchCount(db) > 0 }
    }

    /// Stores an upload, all or none.
    public func addImports(_ identities: [ImportedDeviceIdentity]) throws {
        try write { db in
            for identity in identities { try Stored(identity).insert(db) }
        }
    }

    /// Deletes an uploaded identity (not the registration made from it). Returns whether there was one.
    public func deleteImport(id: String) throws -> Bool {
        try write { db in try Stored<ImportedDeviceIdentity>.deleteOne(db, key: id) }
    }

    /// Processes the identities due at `now`, in one transaction: `process` gets them, every
    /// identity of their uploads and the registrations of their serial numbers (by the index, not
    /// the whole registry), and returns the identities it changed and the registrations to add.
    /// Returns how many registrations were added.
    public func processImports(
        at now: Date,
        _ process: (_ due: [ImportedDeviceIdentity], _ uploads: [ImportedDeviceIdentity], _ registrations: [RegisteredDevice])
            -> (identities: [ImportedDeviceIdentity], registrations: [RegisteredDevice])
    ) throws -> Int {
        let dueNow = Self.unprocessed.filter(Column("processAt") <= now)
        // Most looks find nothing due: a read answers them without a write transaction.
        guard try readOne({ db in try dueNow.fetchCount(db) > 0 }) else { return 0 }
        return try write { db in
            let due = try dueNow.order(Column("uploadedAt"), Column("id")).fetchAll(db).map(\.value)
            guard !due.isEmpty else { return 0 }
            let uploads = try Stored<ImportedDeviceIdentity>.filter(Set(due.map(\.importId)).contains(Column("importId")))
                .fetchAll(db).map(\.value)
            // (SQLite binds at most 32,766 values: many uploads due at once read the registry whole.)
            let serials = Set(due.map(\.serialNumber))
            let registrations = try (serials.count <= 5_000 ? Stored<RegisteredDevice>.filter(serials.contains(Column("serialNumber")))
                                                            : Stored<RegisteredDevice>.all()).fetchAll(db).map(\.value)
            let (identities, added) = process(due, uploads, registrations)
            for identity in identities { try Stored(identity).update(db) }
            for registration in added { try Stored(registration).insert(db) }
            return added.count
        }
    }
}
