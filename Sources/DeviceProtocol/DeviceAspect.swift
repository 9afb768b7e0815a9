/// What a device holds that a lifecycle flow keeps or removes: what Microsoft's documentation of
/// Autopilot Reset, wipe, Fresh Start and retire lists, plus the Autopilot registration.
public enum DeviceAspect: String, Codable, Sendable, CaseIterable, Comparable {
    case wifi
    case certificates
    case provisioningPackages = "provisioning-packages"
    case join
    case enrollment
    case apps
    case userFiles = "user-files"
    case primaryUser = "primary-user"
    case regionalSettings = "regional-settings"
    case deviceName = "device-name"
    case cachedProfile = "cached-profile"
    /// The device's Autopilot registration (a retire deletes it).
    case registration

    /// In the order of the cases, so that lists of aspects read the same everywhere.
    public static func < (lhs: DeviceAspect, rhs: DeviceAspect) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
