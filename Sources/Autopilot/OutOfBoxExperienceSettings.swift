/// Graph's `outOfBoxExperienceSettings`: which OOBE pages the device shows.
public struct OutOfBoxExperienceSettings: Codable, Equatable, Sendable {
    public var hidePrivacySettings: Bool
    public var hideEULA: Bool
    public var userType: UserType
    public var deviceUsageType: DeviceUsageType
    public var skipKeyboardSelectionPage: Bool
    public var hideEscapeLink: Bool

    public init(hidePrivacySettings: Bool = true, hideEULA: Bool = true, userType: UserType = .standard,
                deviceUsageType: DeviceUsageType = .singleUser, skipKeyboardSelectionPage: Bool = false,
                hideEscapeLink: Bool = true) {
        self.hidePrivacySettings = hidePrivacySettings
        self.hideEULA = hideEULA
        self.userType = userType
        self.deviceUsageType = deviceUsageType
        self.skipKeyboardSelectionPage = skipKeyboardSelectionPage
        self.hideEscapeLink = hideEscapeLink
    }

    /// Whether the signed-in user becomes a local administrator.
    public enum UserType: String, Codable, Sendable, CaseIterable {
        case administrator, standard
    }

    /// `singleUser` means user-driven; `shared` means self-deploying.
    public enum DeviceUsageType: String, Codable, Sendable, CaseIterable {
        case singleUser, shared
    }
}
