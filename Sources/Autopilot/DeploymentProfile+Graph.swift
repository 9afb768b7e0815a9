public import Foundation

extension DeploymentProfile: Encodable {
    /// Graph's `@odata.type` for the profile's subtype.
    public var odataType: String {
        isHybrid ? "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile"
                 : "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile"
    }

    enum GraphKeys: String, CodingKey {
        case odataType = "@odata.type"
        case id, displayName, description, language, createdDateTime, lastModifiedDateTime
        case outOfBoxExperienceSettings, extractHardwareHash, deviceNameTemplate, deviceType, enableWhiteGlove
        case roleScopeTagIds, hybridAzureADJoinSkipConnectivityCheck, domainJoinConfiguration
        case assignments, exclusions
    }

    enum DomainJoinKeys: String, CodingKey {
        case activeDirectoryDomainName, organizationalUnit, computerNameStaticPrefix, computerNameSuffixRandomCharCount
    }

    /// Graph's JSON, plus the hybrid subtype's domain-join configuration and pxelab's
    /// `assignments`/`exclusions` (group names), so an export imports back to the same profile.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: GraphKeys.self)
        try container.encode(odataType, forKey: .odataType)
        try container.encode(id, forKey: .id)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(description ?? "", forKey: .description)
        try container.encode(language, forKey: .language)
        try container.encode(Self.graphDate(createdDateTime), forKey: .createdDateTime)
        try container.encode(Self.graphDate(lastModifiedDateTime), forKey: .lastModifiedDateTime)
        try container.encode(outOfBoxExperienceSettings, forKey: .outOfBoxExperienceSettings)
        try container.encode(extractHardwareHash, forKey: .extractHardwareHash)
        try container.encode(deviceNameTemplate ?? "", forKey: .deviceNameTemplate)
        try container.encode(deviceType, forKey: .deviceType)
        try container.encode(enableWhiteGlove, forKey: .enableWhiteGlove)
        try container.encode(roleScopeTagIds, forKey: .roleScopeTagIds)
        if case .hybrid(let hybrid) = join {
            try container.encode(hybrid.skipConnectivityCheck, forKey: .hybridAzureADJoinSkipConnectivityCheck)
            var domainJoin = container.nestedContainer(keyedBy: DomainJoinKeys.self, forKey: .domainJoinConfiguration)
            try domainJoin.encode(hybrid.domainName, forKey: .activeDirectoryDomainName)
            try domainJoin.encodeIfPresent(hybrid.organizationalUnit, forKey: .organizationalUnit)
            try domainJoin.encode(hybrid.computerNamePrefix, forKey: .computerNameStaticPrefix)
            try domainJoin.encode(hybrid.randomSuffixLength, forKey: .computerNameSuffixRandomCharCount)
        }
        try container.encode(assignments, forKey: .assignments)
        try container.encode(exclusions, forKey: .exclusions)
    }

    /// The profile as Graph JSON (pretty, keys sorted).
    public func graphJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Graph writes UTC date-times in ISO 8601 with a `Z`.
    static func graphDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
