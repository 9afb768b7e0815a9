public import Foundation

/// Which profile targets a registered device and since when. Its status follows from the time:
/// a newly targeted device is "assigning" for the service's assignment delay, then "assigned",
/// as Intune moves devices from unassigned through assigning to assigned.
public struct ProfileAssignment: Codable, Equatable, Sendable {
    /// The targeting profile, or nil when none does.
    public var profileID: String?
    /// When the device became targeted by `profileID`.
    public var since: Date

    public init(profileID: String?, since: Date) {
        self.profileID = profileID
        self.since = since
    }

    /// Graph's `deploymentProfileAssignmentStatus` values the lab moves through.
    public enum Status: String, Codable, Sendable {
        case notAssigned, assigning, assigned
    }

    /// The status at `now`; an assignment that never `completes` (the lab's `never-assigned`
    /// fault) stays assigning for good once a profile targets the device.
    public func status(at now: Date, delaySeconds: Double, completes: Bool = true) -> Status {
        guard profileID != nil else { return .notAssigned }
        return completes && now.timeIntervalSince(since) >= delaySeconds ? .assigned : .assigning
    }

    /// The assignment after resolving again at `now`: unchanged while the same profile targets the
    /// device, restarted when another profile (or none) does.
    public func reconciled(with profile: DeploymentProfile?, at now: Date) -> ProfileAssignment {
        profile?.id == profileID ? self : ProfileAssignment(profileID: profile?.id, since: now)
    }
}
