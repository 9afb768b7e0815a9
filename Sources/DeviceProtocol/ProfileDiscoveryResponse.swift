
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

        public init(domainName: String, organizationalUnit: String?, computerNamePrefix: String, randomSuffixLength: Int) {
            self.domainName = domainName
            self.organizationalUnit = organizationalUnit
            self.computerNamePrefix = computerNamePrefix
            self.randomSuffixLength = randomSuffixLength
        }
    }

    public init(version: Int, commentFile: String, ztdCorrelationId: String, cloudAssignedTenantId: String,
                cloudAssignedTenantDomain: String, cloudAssignedDomainJoinMethod: Int, cloudAssignedOobeConfig: Int,
                cloudAssignedForcedEnrollment: Int, cloudAssignedDeviceName: String?, cloudAssignedLanguage: String?,
                hybridJoinSkipDCConnectivityCheck: Int?, cloudAssignedAutopilotUpdateDisabled: Int,
                cloudAssignedAutopilotUpdateTimeout: Int, deploymentProfileName: String, ztdRegistrationId: String,
                cloudAssignedTenantUpn: String?, cloudAssignedPreprovisioningAllowed: Int, domainJoin: DomainJoin?) {
        self.version = version
        self.commentFile = commentFile
        self.ztdCorrelationId = ztdCorrelationId
        self.cloudAssignedTenantId = cloudAssignedTenantId
        self.cloudAssignedTenantDomain = cloudAssignedTenantDomain
        self.cloudAssignedDomainJoinMethod = cloudAssignedDomainJoinMethod
        self.cloudAssignedOobeConfig = cloudAssignedOobeConfig
        self.cloudAssignedForcedEnrollment = cloudAssignedForcedEnrollment
        self.cloudAssignedDeviceName = cloudAssignedDeviceName
        self.cloudAssignedLanguage = cloudAssignedLanguage
        self.hybridJoinSkipDCConnectivityCheck = hybridJoinSkipDCConnectivityCheck
        self.cloudAssignedAutopilotUpdateDisabled = cloudAssignedAutopilotUpdateDisabled
        self.cloudAssignedAutopilotUpdateTimeout = cloudAssignedAutopilotUpdateTimeout
        self.deploymentProfileName = deploymentProfileName
        self.ztdRegistrationId = ztdRegistrationId
        self.cloudAssignedTenantUpn = cloudAssignedTenantUpn
        self.cloudAssignedPreprovisioningAllowed = cloudAssignedPreprovisioningAllowed
        self.domainJoin = domainJoin
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

    /// The OOBE configuration bits.
    public var oobeConfig: OOBEConfig { OOBEConfig(rawValue: cloudAssignedOobeConfig) }

    /// The deployment mode the document implies (self-deploying devices get TPM attestation).
    public var mode: DeploymentMode {
        if oobeConfig.contains(.tpmAttestation) { return .selfDeploying }
        return cloudAssignedPreprovisioningAllowed == 1 ? .preProvisioning : .userDriven
    }
}
