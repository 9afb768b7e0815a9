import Foundation
public import Autopilot
import DeviceIdentity

/// Reads one deployment profile in Graph's `windowsAutopilotDeploymentProfile` shape, from a lab
/// file or from Graph JSON (JSON is YAML, so one reader serves both, with positions).
struct ProfileReader {
    let log: DiagnosticLog
    /// The id given to a profile that has none, from its display name.
    let defaultID: (String) -> String
    /// The creation time given to a profile that has none.
    let defaultCreation: Date

    static let entraType = "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile"
    static let hybridType = "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile"

    static let fields = ["@odata.type", "id", "displayName", "description", "language", "locale", "createdDateTime",
                         "lastModifiedDateTime", "outOfBoxExperienceSettings", "extractHardwareHash",
                         "hardwareHashExtractionEnabled", "deviceNameTemplate", "deviceType", "enableWhiteGlove",
                         "preprovisioningAllowed", "roleScopeTagIds", "managementServiceAppId",
                         "hybridAzureADJoinSkipConnectivityCheck", "domainJoinConfiguration", "joinType",
                         "assignments", "exclusions", "outOfBoxExperienceSetting", "enrollmentStatusScreenSettings", "locale"]
    static let domainJoinFields = ["activeDirectoryDomainName", "organizationalUnit", "computerNameStaticPrefix",
                                   "computerNameSuffixRandomCharCount"]

    func read(_ item: YAMLValue) -> DeploymentProfile? {
        guard let fields = item.mapping(allowing: Self.fields),
              let name = fields.required("displayName")?.nonEmptyString() else { return nil }
        if name.count > 200 { fields.error("displayName", "is \(name.count) characters; Intune allows 200") }

        let hybrid = isHybrid(fields)
        var join = DeploymentProfile.Join.entra
        if hybrid {
            guard let settings = hybridJoin(fields) else { return nil }
            join = .hybrid(settings)
        } else {
            for key in ["hybridAzureADJoinSkipConnectivityCheck", "domainJoinConfiguration"] where fields[key] != nil {
                fields.error(key, "applies to hybrid join profiles only (joinType: hybrid)")
            }
        }
        let templateValue = fields["deviceNameTemplate"]
        let template = templateValue?.string().flatMap { $0.isEmpty ? nil : $0 }
        if let templateValue, let template {
            if hybrid {
                templateValue.error("hybrid-joined devices are named by the domain-join configuration; a name template applies to Entra join only")
            } else {
                do { _ = try DeviceNameTemplate(template) } catch { templateValue.error(error.description) }
            }
        }
        let language = fields["language"].flatMap(readLanguage) ?? "os-default"
        let created = fields["createdDateTime"].flatMap(GraphDate.read) ?? defaultCreation
        let settings = fields["outOfBoxExperienceSettings"].flatMap { readOOBE($0, .first) }
            ?? fields["outOfBoxExperienceSetting"].flatMap { readOOBE($0, .newer) } ?? OutOfBoxExperienceSettings()
        let whiteGlove = (fields["enableWhiteGlove"] ?? fields["preprovisioningAllowed"])?.bool() ?? false
        if whiteGlove && settings.deviceUsageType == .shared {
            fields.error("enableWhiteGlove", "pre-provisioning applies to user-driven profiles, not self-deploying (shared) ones")
        }
        if hybrid && settings.deviceUsageType == .shared {
            fields.error("outOfBoxExperienceSettings", "self-deploying mode does not support hybrid join")
        }
        return DeploymentProfile(
            id: fields["id"]?.nonEmptyString() ?? defaultID(name),
            displayName: name,
            description: fields["description"]?.string().flatMap { $0.isEmpty ? nil : $0 },
            language: language,
            deviceNameTemplate: hybrid ? nil : template,
            deviceType: fields["deviceType"]?.oneOf(DeploymentProfile.DeviceType.self) ?? .windowsPc,
            enableWhiteGlove: whiteGlove,
            extractHardwareHash: (fields["extractHardwareHash"] ?? fields["hardwareHashExtractionEnabled"])?.bool() ?? false,
            outOfBoxExperienceSettings: settings,
            join: join,
            createdDateTime: created,
            lastModifiedDateTime: fields["lastModifiedDateTime"].flatMap(GraphDate.read),
            roleScopeTagIds: fields["roleScopeTagIds"]?.stringList() ?? ["0"],
            assignments: fields["assignments"]?.stringList() ?? [],
            exclusions: fields["exclusions"]?.stringList() ?? [])
    }

    private func isHybrid(_ fields: MappingReader) -> Bool {
        let fromType = fields["@odata.type"].flatMap { value -> Bool? in
            // Clients send the type with or without its '#'.
            switch value.string().map({ $0.hasPrefix("#") ? $0 : "#" + $0 }) {
            case Self.entraType?: return false
            case Self.hybridType?: return true
            case let other?:
                value.error("'\(other)' is not \(Self.entraType) or \(Self.hybridType)")
                return nil
            case nil: return nil
            }
        }
        let fromJoin = fields["joinType"]?.oneOf([("entra", false), ("hybrid", true)])
        if let fromType, let fromJoin, fromType != fromJoin {
            fields.error("joinType", "contradicts @odata.type")
        }
        return fromType ?? fromJoin ?? false
    }

    private func hybridJoin(_ fields: MappingReader) -> DeploymentProfile.HybridJoin? {
        guard let configuration = fields.required("domainJoinConfiguration")?.mapping(allowing: Self.domainJoinFields),
              let domain = configuration.required("activeDirectoryDomainName")?.nonEmptyString(),
              let prefixValue = configuration.required("computerNameStaticPrefix"),
              let prefix = prefixValue.nonEmptyString() else { return nil }
        let suffix = configuration["computerNameSuffixRandomCharCount"]?.int(in: 1...14) ?? 15 - min(prefix.count, 14)
        if prefix.count + suffix > 15 {
            prefixValue.error("prefix '\(prefix)' plus \(suffix) random characters exceeds the 15-character computer name limit")
        }
        if prefix.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
            prefixValue.error("prefix '\(prefix)' may use letters, digits and hyphens only")
        }
        return DeploymentProfile.HybridJoin(
            skipConnectivityCheck: fields["hybridAzureADJoinSkipConnectivityCheck"]?.bool() ?? false,
            domainName: domain,
            organizationalUnit: configuration["organizationalUnit"]?.nonEmptyString(),
            computerNamePrefix: prefix,
            randomSuffixLength: suffix)
    }

    /// The names of the out-of-box settings' flags: Graph's first ones and its newer ones.
    struct OOBENames {
        let privacy, eula, keyboard, escape: String
        var fields: [String] { ["@odata.type", privacy, eula, "userType", "deviceUsageType", keyboard, escape] }

        static let first = OOBENames(privacy: "hidePrivacySettings", eula: "hideEULA", keyboard: "skipKeyboardSelectionPage",
                                     escape: "hideEscapeLink")
        static let newer = OOBENames(privacy: "privacySettingsHidden", eula: "eulaHidden", keyboard: "keyboardSelectionPageSkipped",
                                     escape: "escapeLinkHidden")
    }

    private func readOOBE(_ value: YAMLValue, _ names: OOBENames) -> OutOfBoxExperienceSettings? {
        guard let fields = value.mapping(allowing: names.fields) else { return nil }
        let defaults = OutOfBoxExperienceSettings()
        return OutOfBoxExperienceSettings(
            hidePrivacySettings: fields[names.privacy]?.bool() ?? defaults.hidePrivacySettings,
            hideEULA: fields[names.eula]?.bool() ?? defaults.hideEULA,
            userType: fields["userType"]?.oneOf(OutOfBoxExperienceSettings.UserType.self) ?? defaults.userType,
            deviceUsageType: fields["deviceUsageType"]?.oneOf(OutOfBoxExperienceSettings.DeviceUsageType.self) ?? defaults.deviceUsageType,
            skipKeyboardSelectionPage: fields[names.keyboard]?.bool() ?? defaults.skipKeyboardSelectionPage,
            hideEscapeLink: fields[names.escape]?.bool() ?? defaults.hideEscapeLink)
    }

    /// `os-default` or a language tag such as `en-US` or `de-DE`.
    private func readLanguage(_ value: YAMLValue) -> String? {
        guard let text = value.nonEmptyString() else { return nil }
        if text == "os-default" || text == "user-select" { return text }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let valid = parts.count >= 2 && parts[0].count >= 2 && parts[0].count <= 3 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 8 && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        guard valid else {
            value.error("'\(text)' is not a language: use os-default, user-select or a tag such as en-US")
            return nil
        }
        return text
    }
}

extension LabFile {
    /// Reads one deployment profile from Graph JSON (or YAML), with the same checks as a lab
    /// file's `profiles` entries, for importing a profile exported from Graph or from pxelab.
    public static func readProfile(_ text: String, file: String, lab: String) throws(LabFileError) -> DeploymentProfile {
        let log = DiagnosticLog(file: file)
        guard let root = YAMLDocument.root(of: text, log: log) else { throw LabFileError(log.diagnostics) }
        let reader = ProfileReader(log: log, defaultID: { name in
            IdentifierAllocator.stableUUID("profile", lab, name).uuidString.lowercased()
        }, defaultCreation: AutopilotSectionsReader.creationEpoch)
        let profile = reader.read(root)
        guard log.isEmpty, let profile else { throw LabFileError(log.diagnostics) }
        return profile
    }
}
