/// How a repurpose wipes a device: everything, keeping the enrollment (and join), keeping the
/// user's data; Fresh Start removes apps too, with or without the user's data.
public enum WipeKind: String, Sendable, Equatable, CaseIterable {
    case full
    case keepEnrollment = "keep-enrollment"
    case keepUserData = "keep-user-data"
    case freshStart = "fresh-start"
    case freshStartKeepUserData = "fresh-start-keep-user-data"
}
