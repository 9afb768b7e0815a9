/// The endpoint paths the device side uses.
public enum DevicePaths {
    public static let bootstrap = "/boot.ipxe"
    public static let deviceScript = "/ipxe"
    public static let profile = "/autopilot/v1/profile"
    public static let events = "/oobe/v1/events"
    public static let nextAction = "/oobe/v1/actions/next"
    public static let faults = "/oobe/v1/faults"
    public static let enrollment = "/mdm/v1/enrollment"
    public static let enroll = "/mdm/v1/enroll"
    public static let attest = "/tpm/v1/attest"
    public static let activate = "/tpm/v1/activate"
}
