public import Foundation
import GRDB
public import Autopilot

extension LabStore {
    /// Every registration, in every tenant, oldest first.
    public func registeredDevices() throws -> [RegisteredDevice] {
        try read { db in
            try Stored<RegisteredDevice>.order(Column("registeredAt"), Column("serialNumber")).fetchAll(db).map(\.value)
        }
    }

    /// The registrations with a serial number (several only when a field bug is reproduced).
    public func registeredDevices(serial: String) throws -> [RegisteredDevice] {
        try readOne { db in
            try Stored<RegisteredDevice>.fetchAll(
                try db.cachedStatement(sql: "SELECT * FROM registeredDevice WHERE serialNumber = ? ORDER BY registeredAt"),
                arguments: [serial]).map(\.value)
        }
    }

    /// One tenant's registrations in the order of their ids, after `after`, at most `limit`, and
    /// how many the tenant has: a page read by its key, whatever the registry's size.
    public func registeredDevices(of tenant: UUID, after: String?, limit: Int) throws -> (page: [RegisteredDevice], total: Int) {
        try read { db in
            let mine = Stored<RegisteredDevice>.filter(Column("tenantID") == tenant)
            let page = try (after.map { mine.filter(Column("id") > $0) } ?? mine).order(Column("id")).limit(limit).fetchAll(db).map(\.value)
            return (page, try mine.fetchCount(db))
        }
    }

    /// These registrations' profile assignments.
    public func assignments(of deviceIDs: [String]) throws -> [String: ProfileAssignment] {
        try read { db in
            let rows = try StoredAssignment.filter(deviceIDs.contains(Column("deviceID"))).fetchAll(db)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0.deviceID, ProfileAssignment(profileID: $0.profileID, since: $0.since)) })
        }
    }

    /// The registration with a ZTDId, in any tenant.
    public func registeredDevice(id: String) throws -> RegisteredDevice? {
        try readOne { db in try Stored<RegisteredDevice>.fetchOne(db, key: id)?.value }
    }

    /// Adds registrations, all or none.
    public func register(_ devices: [RegisteredDevice]) throws {
        try write { db in
            for device in devices { try Stored(device).insert(db) }
        }
    }

    /// Deletes every registration (and its assignment) with one of these serials, in every
    /// tenant, and adds `new` instead: one transaction.
    public func replaceRegistrations(ofSerials serials: Set<String>, with new: [RegisteredDevice]) throws {
        try write { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM registeredDevice WHERE serialNumber = ?")
            for serial in serials { try delete.execute(arguments: [serial]) }
            for device in new { try Stored(device).insert(db) }
        }
    }

    /// Rewrites the registrations of a serial number in one transaction: `change` gets them as
    /// they are and returns them as they are to be (left out: deleted; new ids: added), so that
    /// no other write falls between the read and the write.
    @discardableResult
    public func rewriteRegistrations<Result>(serial: String, _ change: ([RegisteredDevice]) throws -> (registrations: [RegisteredDevice], result: Result))
        throws -> Result {
        try write { db in
            let current = try Stored<RegisteredDevice>.fetchAll(
                try db.cachedStatement(sql: "SELECT * FROM registeredDevice WHERE serialNumber = ? ORDER BY registeredAt"),
                arguments: [serial]).map(\.value)
            let (next, result) = try change(current)
            let kept = Set(next.map(\.id))
            for gone in current where !kept.contains(gone.id) { _ = try Stored<RegisteredDevice>.deleteOne(db, key: gone.id) }
            let known = Set(current.map(\.id))
            for registration in next {
                if known.contains(registration.id) { try Stored(registration).update(db) } else { try Stored(registration).insert(db) }
            }
            return result
        }
    }

    /// Every device's profile assignment, by registration id.
    public func assignments() throws -> [String: ProfileAssignment] {
        try read { db in
            let rows = try StoredAssignment.fetchAll(db)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0.deviceID, ProfileAssignment(profileID: $0.profileID, since: $0.since)) })
        }
    }

    /// One registration's profile assignment.
    public func assignment(for deviceID: String) throws -> ProfileAssignment? {
        try readOne { db in
            try StoredAssignment.fetchOne(db, key: deviceID).map { ProfileAssignment(profileID: $0.profileID, since: $0.since) }
        }
    }

    /// Stores several devices' assignments, in one transaction.
    public func setAssignments(_ assignments: [(deviceID: String, assignment: ProfileAssignment)]) throws {
        try groupWrite { db in
            for (deviceID, assignment) in assignments {
                try StoredAssignment(deviceID: deviceID, profileID: assignment.profileID, since: assignment.since).save(db)
            }
        }
    }

    /// Stores a device's assignment.
    public func setAssignment(_ assignment: ProfileAssignment, for deviceID: String) throws {
        try groupWrite { db in
            try StoredAssignment(deviceID: deviceID, profileID: assignment.profileID, since: assignment.since).save(db)
        }
    }
}
