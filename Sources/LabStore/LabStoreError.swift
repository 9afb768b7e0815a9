import GRDB

/// The store could not do what was asked: its disk is full, it is read-only, it cannot be used,
/// or SQLite refused the statement. Nothing of the failed operation was applied (each is one
/// transaction).
public struct LabStoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The disk, or the database's size limit, is full.
        case full
        /// The database cannot be written (a read-only file system, or a store set read-only).
        case readOnly
        /// The database cannot be opened or read: an I/O error, corruption, another process
        /// holding it locked.
        case unavailable
        /// SQLite refused the statement (a constraint, a value that does not read back).
        case refused
    }

    public let kind: Kind
    /// The database file.
    public let store: String
    /// SQLite's own words.
    public let detail: String

    init(refused detail: String, store: String) {
        self.kind = .refused
        self.store = store
        self.detail = detail
    }

    init(_ error: DatabaseError, store: String) {
        self.store = store
        self.detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_FULL: kind = .full
        case .SQLITE_READONLY: kind = .readOnly
        case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_BUSY, .SQLITE_LOCKED: kind = .unavailable
        default: kind = .refused
        }
    }

    public var description: String {
        switch kind {
        case .full: "the lab's store \(store) cannot grow: the disk or its size limit is full"
        case .readOnly: "the lab's store \(store) is read-only"
        case .unavailable: "the lab's store \(store) cannot be used (\(detail))"
        case .refused: "the lab's store \(store) refused the operation (\(detail))"
        }
    }
}
