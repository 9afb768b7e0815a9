/// How a break/fix drill breaks a device: damage to its system, or an ESP that hangs (then a wipe,
/// so that the ESP runs again and hangs).
public enum BreakKind: String, Sendable, Equatable, CaseIterable {
    case corruptOS = "corrupt-os"
    case unbootableDisk = "unbootable-disk"
    case failedUpdate = "failed-update"
    case lostEnrollment = "lost-enrollment"
    case stuckESP = "stuck-esp"
}
