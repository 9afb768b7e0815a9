import Foundation
public import Autopilot

/// `GET /autopilot/v1/profile`: what the Autopilot service answers a device during OOBE.
public struct ProfileDiscoveryResponse: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case assigned
        /// A profile targets the device but is not assigned yet: retry after `retryAfterSeconds`.
        case assigning
        /// Registered, no profile (Autopilot event 815).
        case noProfile = "no-profile"
        /// Not registered (Autopilot event 807).
        case notRegistered = "not-registered"
        /// Registered to another tenant.
        case otherTenant = "other-tenant"
    }

    public var outcome: Outcome
    /// The Autopilot diagnostics event id, for 807 and 815.
    public var eventId: Int?
    public var retryAfterSeconds: Double?
    public var message: String
    public var profile: AutopilotProfileDocument?

    public init(outcome: Outcome, eventId: Int? = nil, retryAfterSeconds: Double? = nil, message: String,
                profile: AutopilotProfileDocument? = nil) {
        self.outcome = outcome
        self.eventId = eventId
        self.retryAfterSeconds = retryAfterSeconds
        self.message = message
        self.profile = profile
    }
}

/// A deployment profile as a device receives it, in the offline profile's field names
/// (`AutopilotConfigurationFile.json`), plus what the service also tells the device.
public struct AutopilotProfileDocument: Codable, Sendable, Equatable {
    public var version: Int
    public var commentFile: String
    public var ztdCorrelationId: String
    public var cloudAssignedTenantId: String
    public var cloudAssignedTenantDomain: String
    public var cloudAssignedDomainJoinMethod: Int
    public var cloudAssignedOobeConfig: Int
    public var cloudAssignedForcedEnrollment: Int
    public var cloudAssignedDeviceName: String?
    public var cloudAssignedLanguage: String?
    public var hybridJoinSkipDCConnectivityCheck: Int?
    public var cloudAssignedAutopilotUpdateDisabled: Int
    public var cloudAssignedAutopilotUpdateTimeout: Int
    // What the service adds for an online profile.
    /// The profile's display name.
    public var deploymentProfileName: String
    /// The device's registration (ZTDId).
    public var ztdRegistrationId: String
    /// The user the device is assigned to, pre-filled on the sign-in page.
    public var cloudAssignedTenantUpn: String?
    /// Whether pre-provisioning is allowed (`enableWhiteGlove`).
    public var cloudAssignedPreprovisioningAllowed: Int
    /// Hybrid join: the domain, OU and computer-name prefix the Intune Connector uses.
    public var domainJoin: DomainJoin?

    public struct DomainJoin: Codable, Sendable, Equatable {
        public var domainName: String
        public var organizationalUnit: String?
        public var computerNamePrefix: String
        public var randomSuffixLength: Int
    }

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case commentFile = "Comment_File"
        case ztdCorrelationId = "ZtdCorrelationId"
        case cloudAssignedTenantId = "CloudAssignedTenantId"
        case cloudAssignedTenantDomain = "CloudAssignedTenantDomain"
        case cloudAssignedDomainJoinMethod = "CloudAssignedDomainJoinMethod"
        case cloudAssignedOobeConfig = "CloudAssignedOobeConfig"
        case cloudAssignedForcedEnrollment = "CloudAssignedForcedEnrollment"
        case cloudAssignedDeviceName = "CloudAssignedDeviceName"
        case cloudAssignedLanguage = "CloudAssignedLanguage"
        case hybridJoinSkipDCConnectivityCheck = "HybridJoinSkipDCConnectivityCheck"
        case cloudAssignedAutopilotUpdateDisabled = "CloudAssignedAutopilotUpdateDisabled"
        case cloudAssignedAutopilotUpdateTimeout = "CloudAssignedAutopilotUpdateTimeout"
        case deploymentProfileName = "DeploymentProfileName"
        case ztdRegistrationId = "ZtdRegistrationId"
        case cloudAssignedTenantUpn = "CloudAssignedTenantUpn"
        case cloudAssignedPreprovisioningAllowed = "CloudAssignedPreprovisioningAllowed"
        case domainJoin = "PxelabDomainJoin"
    }

    /// The document for a profile, tenant and registration.
    public init(profile: DeploymentProfile, tenant: Tenant, registration: RegisteredDevice) {
        let settings = profile.outOfBoxExperienceSettings
        version = 2049
        commentFile = "Profile \(profile.displayName)"
        ztdCorrelationId = profile.id
        cloudAssignedTenantId = tenant.id.uuidString.lowercased()
        cloudAssignedTenantDomain = tenant.domain
        cloudAssignedDomainJoinMethod = profile.isHybrid ? 1 : 0
        cloudAssignedOobeConfig = OfflineProfile.OOBEConfig(settings).rawValue
        cloudAssignedForcedEnrollment = settings.hideEscapeLink ? 1 : 0
        cloudAssignedDeviceName = profile.deviceNameTemplate
        cloudAssignedLanguage = settings.skipKeyboardSelectionPage ? profile.language : nil
        cloudAssignedAutopilotUpdateDisabled = 1
        cloudAssignedAutopilotUpdateTimeout = 1_800_000
        deploymentProfileName = profile.displayName
        ztdRegistrationId = registration.id
        cloudAssignedTenantUpn = registration.assignedUser
        cloudAssignedPreprovisioningAllowed = profile.enableWhiteGlove ? 1 : 0
        if case .hybrid(let hybrid) = profile.join {
            hybridJoinSkipDCConnectivityCheck = hybrid.skipConnectivityCheck ? 1 : 0
            domainJoin = DomainJoin(domainName: hybrid.domainName, organizationalUnit: hybrid.organizationalUnit,
                                    computerNamePrefix: hybrid.computerNamePrefix, randomSuffixLength: hybrid.randomSuffixLength)
        }
    }

    /// The OOBE configuration bits.
    public var oobeConfig: OfflineProfile.OOBEConfig { OfflineProfile.OOBEConfig(rawValue: cloudAssignedOobeConfig) }

    /// The deployment mode the document implies (self-deploying devices get TPM attestation).
    public var mode: DeploymentMode {
        if oobeConfig.contains(.tpmAttestation) { return .selfDeploying }
        return cloudAssignedPreprovisioningAllowed == 1 ? .preProvisioning : .userDriven
    }
}
