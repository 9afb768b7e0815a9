/// How a recovery repairs a broken device: an Autopilot Reset started from the Windows Recovery
/// Environment, a reimage over PXE, or a revert to one of its snapshots.
public enum RecoveryMethod: Sendable, Equatable, Hashable {
    case autopilotReset
    case reimage
    case snapshot(String)

    /// `autopilot-reset`, `reimage` or `snapshot:NAME`.
    public init?(text: String) {
        switch text {
        case "autopilot-reset": self = .autopilotReset
        case "reimage": self = .reimage
        case let text where text.hasPrefix("snapshot:") && text.count > "snapshot:".count:
            self = .snapshot(String(text.dropFirst("snapshot:".count)))
        default: return nil
        }
    }

    public var text: String {
        switch self {
        case .autopilotReset: "autopilot-reset"
        case .reimage: "reimage"
        case .snapshot(let name): "snapshot:\(name)"
        }
    }

    /// The forms a method is written in, for messages.
    public static let forms = "autopilot-reset, reimage or snapshot:NAME"
}
