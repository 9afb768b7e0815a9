public import Foundation
public import DeviceProtocol

/// `AutopilotConfigurationFile.json`: a deployment profile for devices that are not registered
/// ("Autopilot for existing devices"), exactly as the WindowsAutopilotIntune PowerShell module's
/// `ConvertTo-AutopilotConfigurationJSON` writes it and `Set-Content -Encoding Ascii` saves it.
/// OOBE ignores a file that is not ASCII; an online profile assigned to the device wins over it.
public enum OfflineProfile {
    /// The file's bytes for a profile of a tenant (ASCII, CRLF, Windows PowerShell 5.1's layout).
    public static func export(_ profile: DeploymentProfile, tenant: Tenant) -> Data {
        let settings = profile.outOfBoxExperienceSettings
        let forced = settings.hideEscapeLink ? 1 : 0
        let serverData = "{\"ZeroTouchConfig\":{\"CloudAssignedTenantUpn\":\"\",\"ForcedEnrollment\":\(forced),"
            + "\"CloudAssignedTenantDomain\":\"\(escape(tenant.domain))\"}}"
        var fields: [(String, Value)] = [
            ("CloudAssignedTenantId", .string(tenant.id.uuidString.lowercased())),
            ("CloudAssignedAutopilotUpdateTimeout", .number(1_800_000)),
            ("CloudAssignedAutopilotUpdateDisabled", .number(1)),
            ("CloudAssignedForcedEnrollment", .number(forced)),
            ("Version", .number(2049)),
            ("Comment_File", .string("Profile \(profile.displayName)")),
            ("CloudAssignedAadServerData", .string(serverData)),
            ("CloudAssignedTenantDomain", .string(tenant.domain)),
            ("CloudAssignedDomainJoinMethod", .number(profile.isHybrid ? 1 : 0)),
            ("CloudAssignedOobeConfig", .number(OOBEConfig(settings).rawValue)),
        ]
        if let template = profile.deviceNameTemplate, !template.isEmpty {
            fields.append(("CloudAssignedDeviceName", .string(template)))
        }
        if settings.skipKeyboardSelectionPage && !profile.language.isEmpty {
            fields.append(("CloudAssignedLanguage", .string(profile.language)))
        }
        if case .hybrid(let hybrid) = profile.join, hybrid.skipConnectivityCheck {
            fields.append(("HybridJoinSkipDCConnectivityCheck", .number(1)))
        }
        fields.append(("ZtdCorrelationId", .string(profile.id)))
        let body = fields.map { key, value in "    \"\(key)\":  \(value.json)" }.joined(separator: ",\r\n")
        let text = "{\r\n" + body + "\r\n}\r\n"
        // Set-Content -Encoding Ascii writes '?' for anything outside ASCII.
        return Data(text.unicodeScalars.map { $0.isASCII ? UInt8($0.value) : UInt8(ascii: "?") })
    }

    /// What an offline profile file holds.
    public struct Contents: Equatable, Sendable {
        public var profile: DeploymentProfile
        public var tenantID: UUID
        public var tenantDomain: String
    }

    /// Reads an `AutopilotConfigurationFile.json` back into a profile. Fields the file does not
    /// carry (description, pre-provisioning, hash extraction, assignments) take their defaults.
    public static func read(_ data: Data, createdAt: Date) throws(OfflineProfileError) -> Contents {
        guard data.allSatisfy({ $0 < 0x80 }) else {
            throw OfflineProfileError("the file is not ASCII; OOBE ignores such a file (save it with Set-Content -Encoding Ascii)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw OfflineProfileError("the file is not a JSON object")
        }
        func string(_ key: String) throws(OfflineProfileError) -> String {
            guard let value = json[key] as? String else { throw OfflineProfileError("\(key) is missing or not text") }
            return value
        }
        func number(_ key: String) -> Int? { (json[key] as? NSNumber)?.intValue }
        guard number("Version") == 2049 else { throw OfflineProfileError("Version must be 2049") }
        guard let tenantID = UUID(uuidString: try string("CloudAssignedTenantId")) else {
            throw OfflineProfileError("CloudAssignedTenantId is not a GUID")
        }
        guard let oobeValue = number("CloudAssignedOobeConfig") else { throw OfflineProfileError("CloudAssignedOobeConfig is missing") }
        guard number("CloudAssignedDomainJoinMethod") != 1 else {
            throw OfflineProfileError("hybrid join (CloudAssignedDomainJoinMethod 1): the file carries no domain-join "
                                      + "configuration; define the profile in the lab file instead")
        }
        let oobe = OOBEConfig(rawValue: oobeValue)
        let comment = try string("Comment_File")
        let name = comment.hasPrefix("Profile ") ? String(comment.dropFirst("Profile ".count)) : comment
        let settings = OutOfBoxExperienceSettings(
            hidePrivacySettings: oobe.contains(.skipExpressSettings), hideEULA: oobe.contains(.skipEULA),
            userType: oobe.contains(.userNotLocalAdmin) ? .standard : .administrator,
            deviceUsageType: oobe.contains(.tpmAttestation) ? .shared : .singleUser,
            skipKeyboardSelectionPage: oobe.contains(.skipKeyboard),
            hideEscapeLink: number("CloudAssignedForcedEnrollment") == 1)
        let profile = DeploymentProfile(
            id: try string("ZtdCorrelationId"), displayName: name,
            language: json["CloudAssignedLanguage"] as? String ?? "os-default",
            deviceNameTemplate: json["CloudAssignedDeviceName"] as? String,
            outOfBoxExperienceSettings: settings, join: .entra, createdDateTime: createdAt)
        return Contents(profile: profile, tenantID: tenantID, tenantDomain: try string("CloudAssignedTenantDomain"))
    }

    private enum Value {
        case string(String)
        case number(Int)

        var json: String {
            switch self {
            case .string(let text): "\"\(OfflineProfile.escape(text))\""
            case .number(let value): String(value)
            }
        }
    }

    /// JSON string escaping as Windows PowerShell 5.1's ConvertTo-Json does it (it also escapes
    /// `<`, `>`, `'` and `&`).
    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case "<", ">", "'", "&": escaped += String(format: "\\u%04x", scalar.value)
            default:
                escaped += scalar.value < 0x20 ? String(format: "\\u%04x", scalar.value) : String(scalar)
            }
        }
        return escaped
    }
}

/// An offline profile file that cannot be read.
public struct OfflineProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension DeploymentProfile {
    /// Whether the profile is the hybrid-join subtype.
    public var isHybrid: Bool {
        if case .hybrid = join { return true }
        return false
    }
}

extension OOBEConfig {
    /// The PowerShell module's computation: OEM registration and upgrade UX always skipped, plus
    /// one bit per hidden page, standard users and self-deploying devices.
    public init(_ settings: OutOfBoxExperienceSettings) {
        var config: OOBEConfig = [.skipOEMRegistration, .skipWindowsUpgradeUX]
        if settings.userType == .standard { config.insert(.userNotLocalAdmin) }
        if settings.hidePrivacySettings { config.insert(.skipExpressSettings) }
        if settings.hideEULA { config.insert(.skipEULA) }
        if settings.skipKeyboardSelectionPage { config.insert(.skipKeyboard) }
        if settings.deviceUsageType == .shared { config.formUnion([.tpmAttestation, .entraDeviceAuth]) }
        self = config
    }
}
