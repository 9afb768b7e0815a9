/// The Windows error codes a deployment produces, which the device shows and the service answers
/// with (reference: `autopilot-reference.md`).
public enum WindowsError {
    public static let attestationTimeout: UInt32 = 0x800705B4
    public static let attestationFailed: UInt32 = 0x801C03EA
    public static let deviceReused: UInt32 = 0x80180014
    public static let preprovisioningNotAllowed: UInt32 = 0x80180005
    public static let entraJoinFailed: UInt32 = 0x801C0003
    public static let domainControllerNotFound: UInt32 = 0x80070774
    public static let appsTimeout: UInt32 = 0x81036502
    public static let appInstallFailed: UInt32 = 0x80070643
    public static let enrollmentFailed: UInt32 = 0x80180018
    public static let winREDisabled: UInt32 = 0x80070032
    public static let updateFailed: UInt32 = 0x800F0922
    /// The stop code INACCESSIBLE_BOOT_DEVICE.
    public static let inaccessibleBootDevice: UInt32 = 0x0000007B
}
