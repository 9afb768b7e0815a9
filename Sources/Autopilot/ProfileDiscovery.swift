public import Foundation

/// What the Autopilot service answers a device that asks for its profile during OOBE.
public enum ProfileDiscovery: Equatable, Sendable {
    /// The device's profile, and the registration it reached.
    case assigned(DeploymentProfile, registration: RegisteredDevice)
    /// A profile targets the device but is not assigned yet: try again later.
    case assigning(retryAfterSeconds: Double)
    /// The device is registered but no profile targets it (Autopilot event 815).
    case noProfile
    /// The device is not registered (Autopilot event 807).
    case notRegistered
    /// The device is registered to another tenant ("That username looks like it belongs to
    /// another organization").
    case otherTenant(tenantID: UUID)

    /// The Autopilot diagnostics event id a device logs for this answer, where there is one.
    public var eventID: Int? {
        switch self {
        case .noProfile: 815
        case .notRegistered: 807
        default: nil
        }
    }
}
