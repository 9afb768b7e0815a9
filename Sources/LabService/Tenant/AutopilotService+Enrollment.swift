import Foundation
public import DeviceProtocol
import LabStore
public import Autopilot

extension AutopilotService {
    /// Why MDM refused an enrollment.
    public struct EnrollmentRefusal: Error, CustomStringConvertible {
        public let errorCode: UInt32
        public let description: String
    }

    /// Enrolls a registered device in MDM with the health it reports. A self-deploying or
    /// pre-provisioned device that was enrolled before cannot enroll again (0x80180014) until its
    /// record is deleted (deregister and register it again) or its next enrollment is allowed.
    public func enroll(serial: String, mode: DeploymentMode, health: DeviceHealth?) throws -> EnrollmentReceipt {
        guard let registration = try store.registeredDevices(serial: serial).first(where: { $0.tenantID == tenant.id }) else {
            throw EnrollmentRefusal(errorCode: WindowsError.deviceReused, description: "the device is not registered with Autopilot in this tenant")
        }
        if let earlier = try store.enrollment(of: registration.id),
           [.selfDeploying, .preProvisioning].contains(earlier.mode), !earlier.reenrollmentAllowed {
            throw EnrollmentRefusal(errorCode: WindowsError.deviceReused, description: "this \(earlier.mode.rawValue) device was enrolled on "
                + "\(ISO8601DateFormatter().string(from: earlier.enrolledAt)); it cannot enroll again until its Autopilot "
                + "record is deleted or its next enrollment is allowed")
        }
        let record = EnrollmentRecord(registration: registration.id, mdmDeviceId: UUID().uuidString.lowercased(), mode: mode,
                                      enrolledAt: clock(), reenrollmentAllowed: false, health: health)
        try store.recordEnrollment(record)
        return EnrollmentReceipt(mdmDeviceId: record.mdmDeviceId, compliance: compliance(of: registration, health: health))
    }

    /// A registered device's compliance with the policies assigned to it, from the health it reported.
    public func compliance(of registration: RegisteredDevice, health: DeviceHealth?) -> DeviceCompliance {
        let resolver = AssignmentResolver(configuration: configuration)
        // Groups whose rule names the enrollment profile count, as for the ESP and apps.
        let policies = resolver.compliancePolicies(for: registration, enrollmentProfileName: resolver.profile(for: registration)?.displayName)
        return DeviceCompliance.evaluate(health, against: policies)
    }

    /// What MDM sends a registered device: the ESP of its profile and the items it tracks, from
    /// its registration and assignment, and the Conditional Access policy that blocks its user when
    /// it is not compliant; nil for a serial this tenant has not registered.
    public func enrollmentPolicy(serial: String) throws -> EnrollmentPolicy? {
        guard let registration = try registration(serial: serial) else { return nil }
        let resolver = AssignmentResolver(configuration: configuration)
        let profile = resolver.profile(for: registration)
        let page = resolver.enrollmentStatusPage(for: registration, enrollmentProfileName: profile?.displayName)
        let blocking = Set(page.selectedMobileAppIds)
        func items(_ target: InstallTarget) -> [EnrollmentPolicy.TrackedItem] {
            let configurations = resolver.configurations(for: registration, target: target,
                                                         enrollmentProfileName: profile?.displayName).map { item in
                EnrollmentPolicy.TrackedItem(id: item.id, name: item.displayName, kind: item.kind.trackedKind,
                                             seconds: item.applySeconds, blocking: true)
            }
            let apps = resolver.apps(for: registration, target: target, enrollmentProfileName: profile?.displayName).map { app in
                EnrollmentPolicy.TrackedItem(id: app.id, name: app.displayName, kind: .app, seconds: app.installSeconds,
                                             sizeBytes: app.sizeBytes, blocking: blocking.isEmpty || blocking.contains(app.id))
            }
            return configurations + apps
        }
        return EnrollmentPolicy(
            espName: page.displayName, showProgress: page.showInstallationProgress,
            timeoutMinutes: page.installProgressTimeoutInMinutes,
            allowResetOnFailure: page.allowDeviceResetOnInstallFailure, allowUseOnFailure: page.allowDeviceUseOnInstallFailure,
            blockRetryByUser: page.blockDeviceSetupRetryByUser,
            errorMessage: page.customErrorMessage ?? EnrollmentStatusPage.defaultErrorMessage,
            trackAccountSetup: profile?.mode != .selfDeploying,
            deviceItems: items(.device), userItems: items(.user),
            conditionalAccessBlock: try store.enrollment(of: registration.id).flatMap { enrollment in
                ConditionalAccessPolicy.block(by: configuration.conditionalAccessPolicies,
                                              for: compliance(of: registration, health: enrollment.health))
            })
    }
}

extension ConfigurationItem.Kind {
    var trackedKind: EnrollmentPolicy.TrackedItem.Kind {
        switch self {
        case .policy, .autopilotReset: .policy
        case .scepCertificate, .pkcsCertificate: .certificate
        case .wifi, .vpn: .network
        }
    }
}
