import GRDB

extension LabStore {
    /// A number that changes whenever anything is committed to the store, by this process or
    /// another (a `pxelab` command beside a running controller), so that answers built from the
    /// store can be kept until it changes. SQLite's `data_version`, read on a connection of its
    /// own that never writes: it counts the commits of every other connection. Nil for a store
    /// in memory, which has no second connection: nothing built from it is kept.
    public func commitStamp() throws -> Int? {
        guard let watcher else { return nil }
        // Prepared once: a Redfish poll reads it for every system it sends.
        return try translated { try watcher.inDatabase { db in try Int.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) } }
    }
}
