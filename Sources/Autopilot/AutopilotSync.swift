public import Foundation

/// The tenant's Autopilot sync (Intune's "Sync" button, `windowsAutopilotSettings/sync`): when
/// the last one was asked for and when it completes. Intune refuses a sync while one runs and
/// within 10 minutes of the last.
public struct AutopilotSync: Codable, Equatable, Sendable {
    /// Intune's minimum time between two manual syncs.
    public static let minimumInterval: TimeInterval = 600

    public var lastManualSyncTrigger: Date
    public var completes: Date

    public init(lastManualSyncTrigger: Date, completes: Date) {
        self.lastManualSyncTrigger = lastManualSyncTrigger
        self.completes = completes
    }

    /// Graph's `syncStatus` at a time.
    public func status(at now: Date) -> String { now < completes ? "inProgress" : "completed" }
}
