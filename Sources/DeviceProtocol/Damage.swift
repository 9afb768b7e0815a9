/// How a device is broken on purpose in a break/fix drill: it damages its own system at its
/// desktop, then reboots into the damage.
public enum Damage: String, Codable, Sendable, CaseIterable {
    /// The system cannot start (INACCESSIBLE_BOOT_DEVICE).
    case corruptOS = "corrupt-os"
    /// The boot disk cannot be read (the same stop code).
    case unbootableDisk = "unbootable-disk"
    /// A cumulative update failed to install (0x800F0922).
    case failedUpdate = "failed-update"
    /// The MDM enrollment is gone: the device starts, its MDM sync fails (0x80180018).
    case lostEnrollment = "lost-enrollment"

    /// Whether the system still starts (to a desktop that cannot sync).
    public var systemStarts: Bool { self == .lostEnrollment }
}
