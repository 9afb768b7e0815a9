public import Foundation

extension DeploymentProfile: Codable {
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

    /// Reads the JSON ``encode(to:)`` writes. (Lab files and imports go through the lab-file
    /// reader, which checks every rule; this is for the lab's own store.)
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: GraphKeys.self)
        let isHybrid = try container.decode(String.self, forKey: .odataType).contains("activeDirectory")
        var join = Join.entra
        if isHybrid {
            let domainJoin = try container.nestedContainer(keyedBy: DomainJoinKeys.self, forKey: .domainJoinConfiguration)
            join = .hybrid(HybridJoin(
                skipConnectivityCheck: try container.decodeIfPresent(Bool.self, forKey: .hybridAzureADJoinSkipConnectivityCheck) ?? false,
                domainName: try domainJoin.decode(String.self, forKey: .activeDirectoryDomainName),
                organizationalUnit: try domainJoin.decodeIfPresent(String.self, forKey: .organizationalUnit),
                computerNamePrefix: try domainJoin.decode(String.self, forKey: .computerNameStaticPrefix),
                randomSuffixLength: try domainJoin.decode(Int.self, forKey: .computerNameSuffixRandomCharCount)))
        }
        func date(_ key: GraphKeys) throws -> Date {
            let text = try container.decode(String.self, forKey: key)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = formatter.date(from: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "'\(text)' is not a date")
            }
            return date
        }
        let description = try container.decodeIfPresent(String.self, forKey: .description)
        let template = try container.decodeIfPresent(String.self, forKey: .deviceNameTemplate)
        self.init(id: try container.decode(String.self, forKey: .id),
                  displayName: try container.decode(String.self, forKey: .displayName),
                  description: description?.isEmpty == false ? description : nil,
                  language: try container.decode(String.self, forKey: .language),
                  deviceNameTemplate: template?.isEmpty == false ? template : nil,
                  deviceType: try container.decode(DeviceType.self, forKey: .deviceType),
                  enableWhiteGlove: try container.decode(Bool.self, forKey: .enableWhiteGlove),
                  extractHardwareHash: try container.decode(Bool.self, forKey: .extractHardwareHash),
                  outOfBoxExperienceSettings: try container.decode(OutOfBoxExperienceSettings.self, forKey: .outOfBoxExperienceSettings),
                  join: join, createdDateTime: try date(.createdDateTime), lastModifiedDateTime: try date(.lastModifiedDateTime),
                  roleScopeTagIds: try container.decode([String].self, forKey: .roleScopeTagIds),
                  assignments: try container.decode([String].self, forKey: .assignments),
                  exclusions: try container.decode([String].self, forKey: .exclusions))
    }

    /// The profile as Graph JSON (pretty, keys sorted).
    public func graphJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Its fields are texts, numbers, dates and booleans, which always encode.
        return try! encoder.encode(self)
    }

    /// Graph writes UTC date-times in ISO 8601 with a `Z`.
    static func graphDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
