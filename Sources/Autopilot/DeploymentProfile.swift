public import Foundation
public import DeviceProtocol

/// An Autopilot deployment profile, in the shape of Graph's `windowsAutopilotDeploymentProfile`
/// (`azureADWindowsAutopilotDeploymentProfile` for Entra join,
/// `activeDirectoryWindowsAutopilotDeploymentProfile` for hybrid join). Encodes to that JSON.
public struct DeploymentProfile: Equatable, Sendable {
    public var id: String
    /// At most 200 characters.
    public var displayName: String
    public var description: String?
    /// An OOBE language tag such as `en-US`, or `os-default`.
    public var language: String
    /// The computer-name template (Entra join only), such as `CTS-%SERIAL%`.
    public var deviceNameTemplate: String?
    public var deviceType: DeviceType
    /// Pre-provisioning ("white glove") allowed.
    public var enableWhiteGlove: Bool
    /// Convert targeted devices to Autopilot by uploading their hardware hash.
    public var extractHardwareHash: Bool
    public var outOfBoxExperienceSettings: OutOfBoxExperienceSettings
    public var join: Join
    /// Assignment tie-break: with several profiles on one device, the oldest-created wins.
    public var createdDateTime: Date
    public var lastModifiedDateTime: Date
    public var roleScopeTagIds: [String]
    /// Group display names the profile is assigned to; ``allDevices`` targets every device.
    public var assignments: [String]
    /// Group display names excluded from the assignment.
    public var exclusions: [String]

    /// The pseudo-group name for Intune's "All devices" assignment.
    public static let allDevices = "All devices"

    public init(id: String, displayName: String, description: String? = nil, language: String = "os-default",
                deviceNameTemplate: String? = nil, deviceType: DeviceType = .windowsPc, enableWhiteGlove: Bool = false,
                extractHardwareHash: Bool = false,
                outOfBoxExperienceSettings: OutOfBoxExperienceSettings = OutOfBoxExperienceSettings(),
                join: Join = .entra, createdDateTime: Date, lastModifiedDateTime: Date? = nil,
                roleScopeTagIds: [String] = ["0"], assignments: [String] = [], exclusions: [String] = []) {
        self.id = id
        self.displayName = displayName
        self.description = description
        self.language = language
        self.deviceNameTemplate = deviceNameTemplate
        self.deviceType = deviceType
        self.enableWhiteGlove = enableWhiteGlove
        self.extractHardwareHash = extractHardwareHash
        self.outOfBoxExperienceSettings = outOfBoxExperienceSettings
        self.join = join
        self.createdDateTime = createdDateTime
        self.lastModifiedDateTime = lastModifiedDateTime ?? createdDateTime
        self.roleScopeTagIds = roleScopeTagIds
        self.assignments = assignments
        self.exclusions = exclusions
    }

    /// How the device joins the organisation.
    public enum Join: Equatable, Sendable {
        /// Microsoft Entra join.
        case entra
        /// Hybrid join: Active Directory through the Intune Connector, plus Entra registration.
        case hybrid(HybridJoin)
    }

    /// The hybrid subtype's settings, with the domain-join configuration it is deployed with
    /// (Graph's `windowsDomainJoinConfiguration`).
    public struct HybridJoin: Equatable, Sendable {
        /// `hybridAzureADJoinSkipConnectivityCheck`: skip the domain-controller reachability check.
        public var skipConnectivityCheck: Bool
        /// `activeDirectoryDomainName`, such as `corp.contoso.com`.
        public var domainName: String
        /// `organizationalUnit`, as a distinguished name.
        public var organizationalUnit: String?
        /// `computerNameStaticPrefix`: hybrid devices are named prefix + random characters.
        public var computerNamePrefix: String
        /// `computerNameSuffixRandomCharCount`.
        public var randomSuffixLength: Int

        public init(skipConnectivityCheck: Bool = false, domainName: String, organizationalUnit: String? = nil,
                    computerNamePrefix: String, randomSuffixLength: Int = 12) {
            self.skipConnectivityCheck = skipConnectivityCheck
            self.domainName = domainName
            self.organizationalUnit = organizationalUnit
            self.computerNamePrefix = computerNamePrefix
            self.randomSuffixLength = randomSuffixLength
        }
    }

    /// Graph's `windowsAutopilotDeviceType`.
    public enum DeviceType: String, Codable, Sendable, CaseIterable {
        case windowsPc, surfaceHub2, holoLens, surfaceHub2S, virtualMachine
    }

    /// The deployment mode the profile implies: `shared` usage is self-deploying; otherwise
    /// user-driven, with pre-provisioning available when `enableWhiteGlove` is set.
    public var mode: DeploymentMode {
        if outOfBoxExperienceSettings.deviceUsageType == .shared { return .selfDeploying }
        return enableWhiteGlove ? .preProvisioning : .userDriven
    }
}
