/// What a deployment looks like to the people who run it: Autopilot's three modes, with the
/// user-driven mode's hybrid join told apart (it has a flow of its own: the offline domain join,
/// the domain controller check, a reboot).
public enum AutopilotScenario: String, Codable, Sendable, CaseIterable {
    case userDriven = "user-driven"
    case hybrid
    case selfDeploying = "self-deploying"
    case preProvisioning = "pre-provisioning"
}

extension DeploymentProfile {
    /// The scenario the profile deploys devices in.
    public var scenario: AutopilotScenario {
        switch mode {
        case .userDriven: isHybrid ? .hybrid : .userDriven
        case .selfDeploying: .selfDeploying
        case .preProvisioning: .preProvisioning
        }
    }
}
