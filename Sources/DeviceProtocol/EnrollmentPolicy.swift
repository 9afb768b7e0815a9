/// `GET /mdm/v1/enrollment`: what MDM gives an enrolled device: its Enrollment Status Page
/// settings and the items the ESP tracks in each phase.
public struct EnrollmentPolicy: Codable, Sendable, Equatable {
    public var espName: String
    /// Whether the ESP is shown (and blocks the desktop) at all.
    public var showProgress: Bool
    public var timeoutMinutes: Int
    public var allowResetOnFailure: Bool
    public var allowUseOnFailure: Bool
    public var blockRetryByUser: Bool
    public var errorMessage: String
    /// Whether the account-setup phase is shown (not for self-deploying devices, which have no user).
    public var trackAccountSetup: Bool
    /// Device preparation, then device setup.
    public var deviceItems: [TrackedItem]
    /// Account setup.
    public var userItems: [TrackedItem]
    /// The Conditional Access policy that refuses the user's tokens, if one does.
    public var conditionalAccessBlock: ConditionalAccessBlock?

    public init(espName: String, showProgress: Bool, timeoutMinutes: Int, allowResetOnFailure: Bool,
                allowUseOnFailure: Bool, blockRetryByUser: Bool, errorMessage: String, trackAccountSetup: Bool,
                deviceItems: [TrackedItem], userItems: [TrackedItem], conditionalAccessBlock: ConditionalAccessBlock? = nil) {
        self.espName = espName
        self.showProgress = showProgress
        self.timeoutMinutes = timeoutMinutes
        self.allowResetOnFailure = allowResetOnFailure
        self.allowUseOnFailure = allowUseOnFailure
        self.blockRetryByUser = blockRetryByUser
        self.errorMessage = errorMessage
        self.trackAccountSetup = trackAccountSetup
        self.deviceItems = deviceItems
        self.userItems = userItems
        self.conditionalAccessBlock = conditionalAccessBlock
    }

    /// A policy, certificate, network profile or app the ESP waits for.
    public struct TrackedItem: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
            case policy, certificate, network, app
        }

        public var id: String
        public var name: String
        public var kind: Kind
        /// Seconds it takes on a real device (the lab's timing scales it).
        public var seconds: Double
        public var sizeBytes: Int?
        /// Whether the ESP waits for it (blocking apps; every policy, certificate and network profile).
        public var blocking: Bool

        public init(id: String, name: String, kind: Kind, seconds: Double, sizeBytes: Int? = nil, blocking: Bool) {
            self.id = id
            self.name = name
            self.kind = kind
            self.seconds = seconds
            self.sizeBytes = sizeBytes
            self.blocking = blocking
        }
    }
}
