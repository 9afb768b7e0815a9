/// What a lab's Autopilot service is configured with: the tenant and everything assigned
/// through it. The lab file provides it; the admin API changes it while a lab runs.
public struct ServiceConfiguration: Equatable, Sendable, Codable {
    public var tenant: Tenant
    public var groups: [DeviceGroup]
    public var profiles: [DeploymentProfile]
    public var enrollmentStatusPages: [EnrollmentStatusPage]
    public var apps: [App]
    public var configurations: [ConfigurationItem]
    public var compliancePolicies: [CompliancePolicy]
    public var conditionalAccessPolicies: [ConditionalAccessPolicy]
    /// How long a newly targeted device stays "assigning" before its profile is "assigned".
    public var assignmentDelaySeconds: Double
    /// How long an identity uploaded through Graph stays `unknown` before it is processed.
    public var importDelaySeconds: Double
    /// How long an Autopilot sync runs.
    public var syncSeconds: Double

    public init(tenant: Tenant, groups: [DeviceGroup] = [], profiles: [DeploymentProfile] = [],
                enrollmentStatusPages: [EnrollmentStatusPage] = [], apps: [App] = [],
                configurations: [ConfigurationItem] = [], compliancePolicies: [CompliancePolicy] = [],
                conditionalAccessPolicies: [ConditionalAccessPolicy] = [], assignmentDelaySeconds: Double = 0, importDelaySeconds: Double = 0,
                syncSeconds: Double = 0) {
        self.tenant = tenant
        self.groups = groups
        self.profiles = profiles
        self.enrollmentStatusPages = enrollmentStatusPages
        self.apps = apps
        self.configurations = configurations
        self.compliancePolicies = compliancePolicies
        self.conditionalAccessPolicies = conditionalAccessPolicies
        self.assignmentDelaySeconds = assignmentDelaySeconds
        self.importDelaySeconds = importDelaySeconds
        self.syncSeconds = syncSeconds
    }

    enum CodingKeys: String, CodingKey {
        case tenant, groups, profiles, enrollmentStatusPages, apps, configurations, compliancePolicies, conditionalAccessPolicies
        case assignmentDelaySeconds, importDelaySeconds, syncSeconds
    }

    /// Reads a stored configuration; one stored before the import delay, the sync's duration and
    /// compliance existed has none of them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(tenant: try container.decode(Tenant.self, forKey: .tenant),
                  groups: try container.decode([DeviceGroup].self, forKey: .groups),
                  profiles: try container.decode([DeploymentProfile].self, forKey: .profiles),
                  enrollmentStatusPages: try container.decode([EnrollmentStatusPage].self, forKey: .enrollmentStatusPages),
                  apps: try container.decode([App].self, forKey: .apps),
                  configurations: try container.decode([ConfigurationItem].self, forKey: .configurations),
                  compliancePolicies: try container.decodeIfPresent([CompliancePolicy].self, forKey: .compliancePolicies) ?? [],
                  conditionalAccessPolicies: try container.decodeIfPresent([ConditionalAccessPolicy].self,
                                                                           forKey: .conditionalAccessPolicies) ?? [],
                  assignmentDelaySeconds: try container.decode(Double.self, forKey: .assignmentDelaySeconds),
                  importDelaySeconds: try container.decodeIfPresent(Double.self, forKey: .importDelaySeconds) ?? 0,
                  syncSeconds: try container.decodeIfPresent(Double.self, forKey: .syncSeconds) ?? 0)
    }
}
