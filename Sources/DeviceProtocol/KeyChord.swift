/// Keys a person presses together on a device, as Linux input key codes: what the controller
/// sends through libvirt (`virDomainSendKey` with the Linux code set) and what a lab guest reads
/// from its keyboard (evdev).
public struct KeyChord: Hashable, Sendable, CustomStringConvertible {
    /// The keys, in the order they go down.
    public let keys: [UInt16]

    public init(_ keys: [UInt16]) { self.keys = keys }

    public static let leftCtrl: UInt16 = 29
    public static let leftMeta: UInt16 = 125
    public static let r: UInt16 = 19

    /// Ctrl+Win+R at the lock screen: a local Autopilot Reset.
    public static let autopilotReset = KeyChord([leftCtrl, leftMeta, r])
    /// The Windows key alone (five presses at the first OOBE screen start pre-provisioning).
    public static let windows = KeyChord([leftMeta])

    public var description: String {
        keys.map { key in
            switch key {
            case Self.leftCtrl: "Ctrl"
            case Self.leftMeta: "Win"
            case Self.r: "R"
            default: "key \(key)"
            }
        }.joined(separator: "+")
    }
}
