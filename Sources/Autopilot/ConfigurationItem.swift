/// A configuration item the ESP tracks besides apps: a policy, a certificate or a network profile.
public struct ConfigurationItem: Codable, Equatable, Sendable {
    public var id: String
    public var displayName: String
    public var kind: Kind
    public var target: InstallTarget
    /// How long applying it takes, in seconds.
    public var applySeconds: Double
    /// Group display names; empty means everyone of the target kind.
    public var assignments: [String]

    public init(id: String, displayName: String, kind: Kind, target: InstallTarget = .device,
                applySeconds: Double = 2, assignments: [String] = []) {
        self.id = id
        self.displayName = displayName
        self.kind = kind
        self.target = target
        self.applySeconds = applySeconds
        self.assignments = assignments
    }

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case policy
        case scepCertificate = "scep-certificate"
        case pkcsCertificate = "pkcs-certificate"
        case wifi
        case vpn
        /// Allows Autopilot Reset from the lock screen (the Policy CSP's
        /// DisableAutomaticReDeploymentCredentials = 0).
        case autopilotReset = "autopilot-reset"

        /// Which ESP category the item is counted in.
        public var category: String {
            switch self {
            case .policy, .autopilotReset: "Security policies"
            case .scepCertificate, .pkcsCertificate: "Certificates"
            case .wifi, .vpn: "Network connections"
            }
        }
    }
}
