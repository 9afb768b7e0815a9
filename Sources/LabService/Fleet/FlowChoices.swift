public import DeviceProtocol
public import LabFiles

// What the flows' choices ask of a device.

extension WipeKind {
    /// The wipe the device is told to carry out (Fresh Start removes apps as a full wipe does).
    public var action: NextAction {
        .wipe(keepEnrollment: self == .keepEnrollment, keepUserData: self == .keepUserData || self == .freshStartKeepUserData)
    }
}

extension BreakKind {
    /// The damage the device does to its own system; nil for a stuck ESP, which is a fault.
    public var damage: Damage? {
        switch self {
        case .corruptOS: .corruptOS
        case .unbootableDisk: .unbootableDisk
        case .failedUpdate: .failedUpdate
        case .lostEnrollment: .lostEnrollment
        case .stuckESP: nil
        }
    }
}
