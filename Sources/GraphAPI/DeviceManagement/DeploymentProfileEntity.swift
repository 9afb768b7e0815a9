import Autopilot

/// A `windowsAutopilotDeploymentProfile` in Graph's JSON: its subtype's `@odata.type`, and the
/// out-of-box settings under their old and new names side by side, as the real service sends them.
enum DeploymentProfileEntity {
    static func write(_ profile: DeploymentProfile, into object: inout ObjectWriter) {
        object.field("@odata.type", profile.odataType)
        object.field("id", profile.id)
        object.field("displayName", profile.displayName)
        object.field("description", profile.description ?? "")
        object.field("language", profile.language)
        object.field("locale", profile.language)
        object.field("createdDateTime", GraphJSON.dateTime(profile.createdDateTime))
        object.field("lastModifiedDateTime", GraphJSON.dateTime(profile.lastModifiedDateTime))
        object.field("deviceNameTemplate", profile.deviceNameTemplate ?? "")
        object.field("deviceType", profile.deviceType.rawValue)
        object.field("enableWhiteGlove", profile.enableWhiteGlove)
        object.field("preprovisioningAllowed", profile.enableWhiteGlove)
        object.field("extractHardwareHash", profile.extractHardwareHash)
        object.field("hardwareHashExtractionEnabled", profile.extractHardwareHash)
        object.field("managementServiceAppId", "")
        object.field("roleScopeTagIds", profile.roleScopeTagIds)
        let settings = profile.outOfBoxExperienceSettings
        object.object("outOfBoxExperienceSettings") {
            $0.field("hidePrivacySettings", settings.hidePrivacySettings)
            $0.field("hideEULA", settings.hideEULA)
            $0.field("userType", settings.userType.rawValue)
            $0.field("deviceUsageType", settings.deviceUsageType.rawValue)
            $0.field("skipKeyboardSelectionPage", settings.skipKeyboardSelectionPage)
            $0.field("hideEscapeLink", settings.hideEscapeLink)
        }
        object.object("outOfBoxExperienceSetting") {
            $0.field("privacySettingsHidden", settings.hidePrivacySettings)
            $0.field("eulaHidden", settings.hideEULA)
            $0.field("userType", settings.userType.rawValue)
            $0.field("deviceUsageType", settings.deviceUsageType.rawValue)
            $0.field("keyboardSelectionPageSkipped", settings.skipKeyboardSelectionPage)
            $0.field("escapeLinkHidden", settings.hideEscapeLink)
        }
        if case .hybrid(let hybrid) = profile.join {
            object.field("hybridAzureADJoinSkipConnectivityCheck", hybrid.skipConnectivityCheck)
        }
    }
}
