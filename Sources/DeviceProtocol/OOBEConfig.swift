/// The OOBE configuration bits of a profile document (`CloudAssignedOobeConfig`), as the offline
/// profile file and the service's answer to a device both carry them.
public struct OOBEConfig: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let skipCortanaOptIn = Self(rawValue: 1)
    public static let userNotLocalAdmin = Self(rawValue: 2)
    public static let skipExpressSettings = Self(rawValue: 4)
    public static let skipOEMRegistration = Self(rawValue: 8)
    public static let skipEULA = Self(rawValue: 16)
    public static let tpmAttestation = Self(rawValue: 32)
    public static let entraDeviceAuth = Self(rawValue: 64)
    public static let entraTPMRequired = Self(rawValue: 128)
    public static let skipWindowsUpgradeUX = Self(rawValue: 256)
    public static let patchDownload = Self(rawValue: 512)
    public static let skipKeyboard = Self(rawValue: 1024)
}
