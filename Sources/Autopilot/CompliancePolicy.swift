public import Foundation
public import DeviceProtocol

/// An Intune compliance policy for Windows (Graph's `windows10CompliancePolicy`), with the
/// settings the lab evaluates from a device's health report: Secure Boot and the TPM. Devices
/// with no policy assigned are compliant, Intune's default.
public struct CompliancePolicy: Codable, Equatable, Sendable {
    public var id: String
    public var displayName: String
    public var description: String?
    /// "Require Secure Boot to be enabled on the device" (Device Health Attestation).
    public var secureBootEnabled: Bool
    /// "Trusted Platform Module (TPM)": require a TPM.
    public var tpmRequired: Bool
    public var createdDateTime: Date
    /// Group names, or `All devices`.
    public var assignments: [String]

    public init(id: String, displayName: String, description: String? = nil, secureBootEnabled: Bool = false,
                tpmRequired: Bool = false, createdDateTime: Date, assignments: [String] = [DeploymentProfile.allDevices]) {
        self.id = id
        self.displayName = displayName
        self.description = description
        self.secureBootEnabled = secureBootEnabled
        self.tpmRequired = tpmRequired
        self.createdDateTime = createdDateTime
        self.assignments = assignments
    }

    /// The settings this policy requires that a device with this health does not meet.
    public func failures(of health: DeviceHealth) -> [String] {
        var failures: [String] = []
        if secureBootEnabled && !health.secureBoot {
            failures.append("Secure Boot is off (required by '\(displayName)')")
        }
        if tpmRequired && health.tpmVersion == nil {
            failures.append("no TPM (required by '\(displayName)')")
        }
        return failures
    }
}

extension DeviceCompliance {
    /// A device's compliance with these policies, from the health it reported (nil: none reported).
    public static func evaluate(_ health: DeviceHealth?, against policies: [CompliancePolicy]) -> DeviceCompliance {
        guard !policies.isEmpty else { return DeviceCompliance(state: .compliant) }
        guard let health else { return DeviceCompliance(state: .unknown) }
        let reasons = policies.flatMap { $0.failures(of: health) }
        return DeviceCompliance(state: reasons.isEmpty ? .compliant : .noncompliant, reasons: reasons)
    }
}
