/// `POST /mdm/v1/enroll`: a device enrolls in MDM, saying in which Autopilot mode and how its
/// boot's health is (an agent older than compliance says nothing: its compliance is unknown).
public struct EnrollmentRequest: Codable, Sendable, Equatable {
    public var device: String
    public var mode: DeploymentMode
    public var health: DeviceHealth?

    public init(device: String, mode: DeploymentMode, health: DeviceHealth?) {
        self.device = device
        self.mode = mode
        self.health = health
    }
}

/// The MDM service's answer to an enrollment: the device's id and its compliance as evaluated
/// from the health it reported.
public struct EnrollmentReceipt: Codable, Sendable, Equatable {
    public var mdmDeviceId: String
    public var compliance: DeviceCompliance

    public init(mdmDeviceId: String, compliance: DeviceCompliance) {
        self.mdmDeviceId = mdmDeviceId
        self.compliance = compliance
    }
}
