/// What the controller wants a device to do next (`POST /oobe/v1/actions/next`). This is how
/// the controller drives a device: it answers OOBE pages for the user, presses buttons for the
/// technician, and resets, wipes or powers devices off.
public enum NextAction: Codable, Sendable, Equatable {
    /// Carry on with the flow.
    case proceed
    /// The user's input for an OOBE page (for example `language: en-US`, or the account's UPN).
    case input(page: String, values: [String: String])
    /// Nothing yet: ask again after this many seconds.
    case wait(seconds: Double)
    /// Pre-provisioning: the technician presses Windows five times, reviews and presses Provision.
    case provision
    /// Pre-provisioning: the technician presses Reseal on the green screen (the device powers off).
    case reseal
    /// Autopilot Reset: locally (Ctrl+Win+R at the lock screen) or remotely (MDM action).
    case reset(remote: Bool)
    /// Wipe the device; `keepEnrollment` and `keepUserData` narrow what is removed.
    case wipe(keepEnrollment: Bool, keepUserData: Bool)
    /// Retire: unenroll and remove company data.
    case retire
    /// Power off.
    case powerOff
    /// Reboot.
    case reboot
    /// A lab drill: break the system on purpose so recovery can be practised.
    case damage(Damage)

    private enum CodingKeys: String, CodingKey { case action, page, values, seconds, remote, keepEnrollment, keepUserData, how }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .action) {
        case "continue": self = .proceed
        case "input":
            self = .input(page: try container.decode(String.self, forKey: .page),
                          values: try container.decode([String: String].self, forKey: .values))
        case "wait": self = .wait(seconds: try container.decode(Double.self, forKey: .seconds))
        case "provision": self = .provision
        case "reseal": self = .reseal
        case "reset": self = .reset(remote: try container.decodeIfPresent(Bool.self, forKey: .remote) ?? false)
        case "wipe":
            self = .wipe(keepEnrollment: try container.decodeIfPresent(Bool.self, forKey: .keepEnrollment) ?? false,
                         keepUserData: try container.decodeIfPresent(Bool.self, forKey: .keepUserData) ?? false)
        case "retire": self = .retire
        case "power-off": self = .powerOff
        case "reboot": self = .reboot
        case "damage": self = .damage(try container.decode(Damage.self, forKey: .how))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .action, in: container, debugDescription: "unknown action '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .proceed: try container.encode("continue", forKey: .action)
        case .input(let page, let values):
            try container.encode("input", forKey: .action)
            try container.encode(page, forKey: .page)
            try container.encode(values, forKey: .values)
        case .wait(let seconds):
            try container.encode("wait", forKey: .action)
            try container.encode(seconds, forKey: .seconds)
        case .provision: try container.encode("provision", forKey: .action)
        case .reseal: try container.encode("reseal", forKey: .action)
        case .reset(let remote):
            try container.encode("reset", forKey: .action)
            try container.encode(remote, forKey: .remote)
        case .wipe(let keepEnrollment, let keepUserData):
            try container.encode("wipe", forKey: .action)
            try container.encode(keepEnrollment, forKey: .keepEnrollment)
            try container.encode(keepUserData, forKey: .keepUserData)
        case .retire: try container.encode("retire", forKey: .action)
        case .powerOff: try container.encode("power-off", forKey: .action)
        case .reboot: try container.encode("reboot", forKey: .action)
        case .damage(let how):
            try container.encode("damage", forKey: .action)
            try container.encode(how, forKey: .how)
        }
    }
}

/// `POST /oobe/v1/actions/next`: where the device is, so the controller can answer.
public struct NextActionRequest: Codable, Sendable, Equatable {
    public var device: String
    /// The phase and step the device is at, such as `oobe-pages` / `page:language`.
    public var phase: OOBEPhase
    public var step: String

    public init(device: String, phase: OOBEPhase, step: String) {
        self.device = device
        self.phase = phase
        self.step = step
    }
}
