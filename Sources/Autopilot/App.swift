/// Where an app or policy is targeted: the device (installed during the ESP's device setup) or
/// the user (during account setup).
public enum InstallTarget: String, Codable, Sendable, CaseIterable {
    case device, user
}

/// An app the ESP tracks.
public struct App: Codable, Equatable, Sendable {
    public var id: String
    public var displayName: String
    /// Win32, MSI, Store, Microsoft 365 Apps...
    public var kind: Kind
    public var target: InstallTarget
    /// How long the install takes on a device, in seconds (scaled by the lab's timing).
    public var installSeconds: Double
    public var sizeBytes: Int
    /// Required apps install during the ESP; available ones do not.
    public var required: Bool
    /// Group display names; empty means "All devices" (device target) or "All users" (user target).
    public var assignments: [String]

    public init(id: String, displayName: String, kind: Kind = .win32, target: InstallTarget = .device,
                installSeconds: Double = 30, sizeBytes: Int = 50_000_000, required: Bool = true,
                assignments: [String] = []) {
        self.id = id
        self.displayName = displayName
        self.kind = kind
        self.target = target
        self.installSeconds = installSeconds
        self.sizeBytes = sizeBytes
        self.required = required
        self.assignments = assignments
    }

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case win32, msi = "msi", store, office = "microsoft-365-apps", edge
    }
}
