/// `POST /mdm/v1/enroll`: a device enrolls in MDM, saying in which Autopilot mode.
public struct EnrollmentRequest: Codable, Sendable, Equatable {
    public var device: String
    public var mode: DeploymentMode

    public init(device: String, mode: DeploymentMode) {
        self.device = device
        self.mode = mode
    }
}

/// The MDM service's answer to an enrollment.
public struct EnrollmentReceipt: Codable, Sendable, Equatable {
    public var mdmDeviceId: String
    public init(mdmDeviceId: String) { self.mdmDeviceId = mdmDeviceId }
}
