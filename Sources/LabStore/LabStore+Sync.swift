import Foundation
public import Autopilot
import GRDB

extension AutopilotSync: StoredValue {
    static let databaseTableName = "autopilotSync"
}

extension LabStore {
    /// The tenant's last Autopilot sync, if one was asked for.
    public func autopilotSync() throws -> AutopilotSync? {
        try readOne { db in try Stored<AutopilotSync>.fetchOne(db)?.value }
    }

    /// Records a sync when `allow` accepts the last one (in one transaction, so two callers
    /// cannot both start one); `allow` throws to refuse.
    public func startAutopilotSync(_ next: AutopilotSync, allow: (AutopilotSync?) throws -> Void) throws {
        try write { db in
            let last = try Stored<AutopilotSync>.fetchOne(db)?.value
            try allow(last)
            try Stored<AutopilotSync>.deleteAll(db)
            try Stored(next).insert(db)
        }
    }
}
