public import Autopilot

/// A registration as people look at it: its groups, the profile that reaches it through them
/// (the oldest-created wins) and where its assignment is.
public struct RegistrationSummary: Codable, Sendable, Equatable {
    public var serialNumber: String
    public var ztdId: String
    public var groupTag: String?
    public var assignedUser: String?
    public var displayName: String?
    public var groups: [String]
    public var profile: String?
    public var mode: AutopilotScenario?
    public var assignmentStatus: ProfileAssignment.Status
    /// Where the registration came from: a CSV file, the lab file, another tenant.
    public var source: String
}

extension AutopilotService {
    /// This tenant's registrations, each with its groups, profile and assignment status.
    public func registrationSummaries() throws -> [RegistrationSummary] {
        try summaries(of: registrations())
    }

    /// These registrations' summaries; resolving their assignments stores them, as the service
    /// does whenever it looks (``states(of:)``).
    func summaries(of registrations: [RegisteredDevice]) throws -> [RegistrationSummary] {
        let resolver = AssignmentResolver(configuration: configuration)
        return try states(of: registrations).map { state in
            let registration = state.registration
            return RegistrationSummary(serialNumber: registration.serialNumber, ztdId: registration.id, groupTag: registration.groupTag,
                                       assignedUser: registration.assignedUser, displayName: registration.displayName,
                                       groups: resolver.groups(of: registration).map(\.displayName), profile: state.profile?.displayName,
                                       mode: state.profile?.scenario, assignmentStatus: state.assignmentStatus, source: registration.source)
        }
    }
}
