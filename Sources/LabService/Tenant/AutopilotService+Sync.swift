import Foundation
public import Autopilot

/// The tenant's Autopilot sync: it takes the tenant's `syncDuration`, is refused while one runs
/// and within Intune's 10 minutes of the last, and processes the uploads that are due.
extension AutopilotService {
    /// The last sync, if one was asked for.
    public func lastSync() throws -> AutopilotSync? { try store.autopilotSync() }

    /// Starts a sync, or says why not (``LabError/syncInProgress`` or ``LabError/syncTooSoon(retryAfter:)``).
    @discardableResult
    public func sync() throws -> AutopilotSync {
        let now = clock()
        let next = AutopilotSync(lastManualSyncTrigger: now, completes: now.addingTimeInterval(configuration.syncSeconds))
        try store.startAutopilotSync(next) { last in
            guard let last else { return }
            if now < last.completes { throw LabError.syncInProgress }
            let allowed = last.lastManualSyncTrigger.addingTimeInterval(AutopilotSync.minimumInterval)
            if now < allowed { throw LabError.syncTooSoon(retryAfter: Int(allowed.timeIntervalSince(now).rounded(.up))) }
        }
        try processDueImports()
        return next
    }
}
