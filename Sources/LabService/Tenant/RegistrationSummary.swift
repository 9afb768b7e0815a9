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
        let resolver = AssignmentResolver(configuration: configuration)
        return try registrations().map { try summary(of: $0, resolver: resolver) }
    }

    /// A registration's summary; resolving its assignment stores it, as the service does whenever it looks.
    func summary(of registration: RegisteredDevice, resolver: AssignmentResolver) throws -> RegistrationSummary {
        let (assignment, profile) = try self.assignment(of: registration)
        return RegistrationSummary(serialNumber: registration.serialNumber, ztdId: registration.id, groupTag: registration.groupTag,
                                   assignedUser: registration.assignedUser, displayName: registration.displayName,
                                   groups: resolver.groups(of: registration).map(\.displayName), profile: profile?.displayName,
                                   mode: profile?.scenario,
                                   assignmentStatus: assignment.status(at: clock(), delaySeconds: configuration.assignmentDelaySeconds),
                                   source: registration.source)
    }
}
