/// What an answer read from the lab's store and its tenant was built from: the store's commit
/// stamp (SQLite's `data_version`: a commit from any connection, another `pxelab` process's too,
/// changes it) and the tenant configuration's revision. A door keeps such an answer
/// (``KeptRenditions``) while its stamp stays the same.
public struct StoreStamp: Equatable, Sendable {
    public let commits: Int
    public let revision: Int
}

extension AutopilotService {
    /// The stamp of what the store and the tenant hold now; nil for a store in memory, which has
    /// no commit stamp (nothing read from it is kept).
    public func storeStamp() throws -> StoreStamp? {
        try store.commitStamp().map { StoreStamp(commits: $0, revision: revision) }
    }
}
