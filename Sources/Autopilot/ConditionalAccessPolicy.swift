public import DeviceProtocol

/// An Entra Conditional Access policy (Graph's `conditionalAccessPolicy`) as far as Autopilot
/// meets it: for all users and all cloud apps, a grant that requires a compliant device
/// (`grantControls.builtInControls: [compliantDevice]`).
public struct ConditionalAccessPolicy: Codable, Equatable, Sendable {
    /// Graph's `state`.
    public enum State: String, Codable, Sendable, CaseIterable {
        case enabled, disabled
        /// Report-only: the sign-in log says what it would do, nothing is blocked.
        case enabledForReportingButNotEnforced
    }

    public var id: String
    public var displayName: String
    public var state: State

    public init(id: String, displayName: String, state: State) {
        self.id = id
        self.displayName = displayName
        self.state = state
    }

    /// The first of these policies that blocks a user of a device with this compliance, if any.
    public static func block(by policies: [ConditionalAccessPolicy], for compliance: DeviceCompliance) -> ConditionalAccessBlock? {
        guard compliance.state != .compliant else { return nil }
        return policies.first { $0.state == .enabled }
            .map { ConditionalAccessBlock(policy: $0.displayName, compliance: compliance) }
    }
}
