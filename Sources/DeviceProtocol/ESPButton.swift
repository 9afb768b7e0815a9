/// The buttons an ESP error screen may offer, as the profile's ESP allows them: Reset device,
/// Continue anyway, Try again.
public enum ESPButton: String, Codable, Sendable, CaseIterable {
    case reset
    case `continue`
    case retry

    /// The input value a press of it is, on the `esp-error` step.
    public static let inputKey = "button"
}
