/// Autopilot's deployment modes: what a profile deploys a device in, what the device's profile
/// document implies, and what the device tells MDM when it enrolls.
public enum DeploymentMode: String, Codable, Sendable, CaseIterable {
    case userDriven = "user-driven"
    case selfDeploying = "self-deploying"
    case preProvisioning = "pre-provisioning"
}
