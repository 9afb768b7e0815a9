/// What a device reports of its boot's health when it enrolls, as Windows' Device Health
/// Attestation does: whether Secure Boot is on (a real VM's guest reads it from UEFI's
/// variables) and which TPM it has.
public struct DeviceHealth: Codable, Sendable, Equatable {
    public var secureBoot: Bool
    /// The TPM's version (`2.0`, `1.2`), nil for none.
    public var tpmVersion: String?

    public init(secureBoot: Bool, tpmVersion: String?) {
        self.secureBoot = secureBoot
        self.tpmVersion = tpmVersion
    }
}

/// A device's compliance with the compliance policies assigned to it, as Intune evaluates it
/// (Graph's `complianceState`), with one reason per setting it does not meet.
public struct DeviceCompliance: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case compliant, noncompliant
        /// Enrolled before it reported its health: nothing to evaluate.
        case unknown
    }

    public var state: State
    /// Each failed setting, naming the policy: `Secure Boot is off (required by 'Windows 11 baseline')`.
    public var reasons: [String]

    public init(state: State, reasons: [String] = []) {
        self.state = state
        self.reasons = reasons
    }

    /// As the enrollment event says it: `compliant`, `noncompliant: ...`.
    public var text: String {
        reasons.isEmpty ? state.rawValue : "\(state.rawValue): " + reasons.joined(separator: "; ")
    }
}

/// An enabled Conditional Access policy that requires a compliant device, met by a device that is
/// not: Entra refuses the user's tokens in the account-setup phase (AADSTS53000).
public struct ConditionalAccessBlock: Codable, Sendable, Equatable {
    /// The Conditional Access policy's display name.
    public var policy: String
    public var compliance: DeviceCompliance

    public init(policy: String, compliance: DeviceCompliance) {
        self.policy = policy
        self.compliance = compliance
    }

    /// Entra's words for it, as the sign-in log and the error page give them.
    public var message: String {
        "AADSTS53000: Device is not in required device state: compliant. Conditional Access policy '\(policy)' "
            + "requires a compliant device, and the device is \(compliance.text)"
    }
}
