import Foundation

/// Resolves what reaches a registered device, exactly as Intune does: group membership from
/// dynamic rules and assigned members, the deployment profile (through groups, minus exclusions,
/// "All devices" included; with several, the oldest-created wins), the Enrollment Status Page
/// (lowest priority number wins; Windows' default page otherwise) and the apps and policies.
public struct AssignmentResolver: Sendable {
    public let configuration: ServiceConfiguration

    public init(configuration: ServiceConfiguration) {
        self.configuration = configuration
    }

    /// The properties Entra holds for a registered device.
    public func properties(of device: RegisteredDevice, enrollmentProfileName: String? = nil,
                           displayName: String? = nil) -> DeviceProperties {
        var scalars: [MembershipRule.Property: String] = [.deviceOSType: "Windows", .deviceOwnership: "Company",
                                                          .deviceId: device.id]
        scalars[.deviceModel] = device.model
        scalars[.deviceManufacturer] = device.manufacturer
        scalars[.enrollmentProfileName] = enrollmentProfileName
        scalars[.displayName] = displayName
        return DeviceProperties(physicalIds: device.physicalIds, scalars: scalars)
    }

    /// The groups a device is a member of. Rules on `enrollmentProfileName` match only once the
    /// device's profile is known, as in Entra.
    public func groups(of device: RegisteredDevice, enrollmentProfileName: String? = nil,
                       displayName: String? = nil) -> [DeviceGroup] {
        let properties = properties(of: device, enrollmentProfileName: enrollmentProfileName, displayName: displayName)
        return configuration.groups.filter { group in
            switch group.membership {
            case .dynamic(let rule): rule.matches(properties)
            case .assigned(let serials): serials.contains(device.serialNumber)
            }
        }
    }

    /// The deployment profile that reaches the device, or nil (the device then gets event 815).
    public func profile(for device: RegisteredDevice) -> DeploymentProfile? {
        let names = Set(groups(of: device).map(\.displayName)).union([DeploymentProfile.allDevices])
        return configuration.profiles
            .filter { profile in
                profile.assignments.contains(where: names.contains) && !profile.exclusions.contains(where: names.contains)
            }
            .min { ($0.createdDateTime, $0.id) < ($1.createdDateTime, $1.id) }
    }

    /// The ESP profile for the device: the assigned one with the lowest priority number, or
    /// Windows' default ("All users and all devices", progress not shown).
    public func enrollmentStatusPage(for device: RegisteredDevice, enrollmentProfileName: String? = nil) -> EnrollmentStatusPage {
        let names = Set(groups(of: device, enrollmentProfileName: enrollmentProfileName).map(\.displayName))
            .union([DeploymentProfile.allDevices])
        return configuration.enrollmentStatusPages
            .filter { $0.assignments.contains(where: names.contains) }
            .min { ($0.priority, $0.createdDateTime) < ($1.priority, $1.createdDateTime) }
            ?? Self.defaultEnrollmentStatusPage
    }

    /// Windows' built-in ESP profile, which applies when no other does.
    public static let defaultEnrollmentStatusPage = EnrollmentStatusPage(
        id: "default", displayName: "All users and all devices", priority: Int.max, showInstallationProgress: false,
        createdDateTime: Date(timeIntervalSince1970: 0), assignments: [DeploymentProfile.allDevices])

    /// The required apps that reach the device for a target (device or user phase).
    public func apps(for device: RegisteredDevice, target: InstallTarget, enrollmentProfileName: String? = nil) -> [App] {
        let names = reachableNames(device, enrollmentProfileName: enrollmentProfileName)
        return configuration.apps.filter { app in
            app.required && app.target == target
                && (app.assignments.isEmpty || app.assignments.contains(where: names.contains))
        }
    }

    /// The policies, certificates and network profiles that reach the device for a target.
    public func configurations(for device: RegisteredDevice, target: InstallTarget,
                               enrollmentProfileName: String? = nil) -> [ConfigurationItem] {
        let names = reachableNames(device, enrollmentProfileName: enrollmentProfileName)
        return configuration.configurations.filter { item in
            item.target == target && (item.assignments.isEmpty || item.assignments.contains(where: names.contains))
        }
    }

    /// The compliance policies assigned to the device.
    public func compliancePolicies(for device: RegisteredDevice, enrollmentProfileName: String? = nil) -> [CompliancePolicy] {
        let names = reachableNames(device, enrollmentProfileName: enrollmentProfileName)
        return configuration.compliancePolicies.filter { $0.assignments.contains(where: names.contains) }
    }

    /// Group names plus the built-in "All devices" and "All users".
    private func reachableNames(_ device: RegisteredDevice, enrollmentProfileName: String?) -> Set<String> {
        Set(groups(of: device, enrollmentProfileName: enrollmentProfileName).map(\.displayName))
            .union([DeploymentProfile.allDevices, Self.allUsers])
    }

    /// The pseudo-group name for Intune's "All users" assignment.
    public static let allUsers = "All users"
}
