/// A device's boot source override, as a BMC keeps it (Redfish's `Boot` property): where the next
/// boot (`once`) or every boot (`continuous`) goes instead of the boot order, and in which
/// firmware mode. Kept by the lab while it runs; a `once` override is spent by the boot that
/// honours it and reads `disabled` afterwards.
public struct BootOverride: Sendable, Equatable {
    public enum Target: String, Sendable, CaseIterable {
        /// No override: the boot order.
        case none = "None"
        /// A network boot through the endpoint (iPXE, the lab's boot scripts).
        case pxe = "Pxe"
        /// The device's own disk: the system installed there.
        case hdd = "Hdd"
    }

    public enum Enabled: String, Sendable, CaseIterable {
        case disabled = "Disabled"
        case once = "Once"
        case continuous = "Continuous"
    }

    public enum Mode: String, Sendable, CaseIterable {
        case legacy = "Legacy"
        case uefi = "UEFI"
    }

    public var target: Target
    public var enabled: Enabled
    public var mode: Mode

    public init(target: Target = .none, enabled: Enabled = .disabled, mode: Mode = .legacy) {
        self.target = target
        self.enabled = enabled
        self.mode = mode
    }
}
