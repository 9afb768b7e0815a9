import Foundation
public import Autopilot
public import LabStore

/// Where a registration stands with the service: its profile assignment (resolved again and
/// stored, as the service does whenever it looks) and its MDM enrollment. Graph's
/// `windowsAutopilotDeviceIdentity` is this, in Graph's words.
public struct RegistrationState: Sendable {
    public var registration: RegisteredDevice
    public var assignment: ProfileAssignment
    public var assignmentStatus: ProfileAssignment.Status
    /// The profile that targets the device, if one does.
    public var profile: DeploymentProfile?
    public var enrollment: EnrollmentRecord?
}

extension AutopilotService {
    /// A page of this tenant's registrations in the order of their ids, after `after`, with their
    /// states, and how many the tenant has.
    public func registrationPage(after: String?, limit: Int) throws -> (states: [RegistrationState], total: Int) {
        try processDueImports()
        let (page, total) = try store.registeredDevices(of: tenant.id, after: after, limit: limit)
        return (try states(of: page), total)
    }

    /// The states of these registrations: one read of their enrollments and of their stored
    /// assignments, one resolver, and one write for the assignments that changed.
    public func states(of registrations: [RegisteredDevice]) throws -> [RegistrationState] {
        guard !registrations.isEmpty else { return [] }
        let configuration = configuration
        let ids = registrations.map(\.id)
        // A page's rows are read by key; many more at once (SQLite binds at most 32,766
        // values) are read whole.
        let byKey = ids.count <= 5_000
        let enrollments = Dictionary(try (byKey ? store.enrollments(of: ids) : store.enrollments()).map { ($0.registration, $0) },
                                     uniquingKeysWith: { first, _ in first })
        let stored = try byKey ? store.assignments(of: ids) : store.assignments()
        let resolver = AssignmentResolver(configuration: configuration)
        let neverAssigned = try store.serials(withFault: .neverAssigned)
        let now = clock()
        var changed: [(deviceID: String, assignment: ProfileAssignment)] = []
        let states = registrations.map { registration in
            let profile = resolver.profile(for: registration)
            let earlier = stored[registration.id]
            let assignment = Self.assignment(earlier, reconciledWith: profile, at: now)
            if assignment != earlier { changed.append((registration.id, assignment)) }
            return RegistrationState(registration: registration, assignment: assignment,
                                     assignmentStatus: assignment.status(at: now, delaySeconds: configuration.assignmentDelaySeconds,
                                                                       completes: !neverAssigned.contains(registration.serialNumber)),
                                     profile: profile, enrollment: enrollments[registration.id])
        }
        if !changed.isEmpty { try store.setAssignments(changed) }
        return states
    }
}
