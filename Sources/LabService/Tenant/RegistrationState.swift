public import Foundation
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
    /// The states of these registrations (one read of the enrollments for all of them).
    public func states(of registrations: [RegisteredDevice]) throws -> [RegistrationState] {
        let enrollments = Dictionary(try store.enrollments().map { ($0.registration, $0) }, uniquingKeysWith: { first, _ in first })
        let delay = configuration.assignmentDelaySeconds
        return try registrations.map { registration in
            let (assignment, profile) = try self.assignment(of: registration)
            // Read after resolving: an assignment made just now counts from now.
            return RegistrationState(registration: registration, assignment: assignment,
                                     assignmentStatus: assignment.status(at: clock(), delaySeconds: delay),
                                     profile: profile, enrollment: enrollments[registration.id])
        }
    }
}
