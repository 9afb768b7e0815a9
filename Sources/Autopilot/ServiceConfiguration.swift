/// What a lab's Autopilot service is configured with: the tenant and everything assigned
/// through it. The lab file provides it; the admin API changes it while a lab runs.
public struct ServiceConfiguration: Equatable, Sendable, Codable {
    public var tenant: Tenant
    public var groups: [DeviceGroup]
    public var profiles: [DeploymentProfile]
    public var enrollmentStatusPages: [EnrollmentStatusPage]
    public var apps: [App]
    public var configurations: [ConfigurationItem]
    /// How long a newly targeted device stays "assigning" before its profile is "assigned".
    public var assignmentDelaySeconds: Double

    public init(tenant: Tenant, groups: [DeviceGroup] = [], profiles: [DeploymentProfile] = [],
                enrollmentStatusPages: [EnrollmentStatusPage] = [], apps: [App] = [],
                configurations: [ConfigurationItem] = [], assignmentDelaySeconds: Double = 0) {
        self.tenant = tenant
        self.groups = groups
        self.profiles = profiles
        self.enrollmentStatusPages = enrollmentStatusPages
        self.apps = apps
        self.configurations = configurations
        self.assignmentDelaySeconds = assignmentDelaySeconds
    }
}
