public import Foundation

/// An Enrollment Status Page profile, in the shape of Graph's
/// `windows10EnrollmentCompletionPageConfiguration`.
public struct EnrollmentStatusPage: Equatable, Sendable, Codable {
    public var id: String
    public var displayName: String
    public var description: String?
    /// Lower numbers win when several ESP profiles reach a device.
    public var priority: Int
    public var showInstallationProgress: Bool
    /// When false, the user may retry ("Try again") after a failure.
    public var blockDeviceSetupRetryByUser: Bool
    /// Offer "Reset device" on failure.
    public var allowDeviceResetOnInstallFailure: Bool
    public var allowLogCollectionOnInstallFailure: Bool
    /// Text shown on failure; Windows' default when nil.
    public var customErrorMessage: String?
    /// Default 60.
    public var installProgressTimeoutInMinutes: Int
    /// Offer "Continue anyway" on failure.
    public var allowDeviceUseOnInstallFailure: Bool
    /// Blocking apps (app ids). Empty means every required app blocks.
    public var selectedMobileAppIds: [String]
    public var allowNonBlockingAppInstallation: Bool
    public var installQualityUpdates: Bool
    /// Show the ESP only for Autopilot (OOBE) provisioning.
    public var trackInstallProgressForAutopilotOnly: Bool
    /// Show the ESP only to the first user who signs in.
    public var disableUserStatusTrackingAfterFirstUser: Bool
    public var createdDateTime: Date
    /// Group display names the profile is assigned to.
    public var assignments: [String]

    /// Windows' error text when the profile sets none.
    public static let defaultErrorMessage =
        "Setup could not be completed. Please try again or contact your support person for help."

    /// At most 100 blocking apps.
    public static let maximumBlockingApps = 100

    public init(id: String, displayName: String, description: String? = nil, priority: Int = 1,
                showInstallationProgress: Bool = true, blockDeviceSetupRetryByUser: Bool = false,
                allowDeviceResetOnInstallFailure: Bool = false, allowLogCollectionOnInstallFailure: Bool = true,
                customErrorMessage: String? = nil, installProgressTimeoutInMinutes: Int = 60,
                allowDeviceUseOnInstallFailure: Bool = false, selectedMobileAppIds: [String] = [],
                allowNonBlockingAppInstallation: Bool = false, installQualityUpdates: Bool = false,
                trackInstallProgressForAutopilotOnly: Bool = true, disableUserStatusTrackingAfterFirstUser: Bool = true,
                createdDateTime: Date, assignments: [String] = []) {
        self.id = id
        self.displayName = displayName
        self.description = description
        self.priority = priority
        self.showInstallationProgress = showInstallationProgress
        self.blockDeviceSetupRetryByUser = blockDeviceSetupRetryByUser
        self.allowDeviceResetOnInstallFailure = allowDeviceResetOnInstallFailure
        self.allowLogCollectionOnInstallFailure = allowLogCollectionOnInstallFailure
        self.customErrorMessage = customErrorMessage
        self.installProgressTimeoutInMinutes = installProgressTimeoutInMinutes
        self.allowDeviceUseOnInstallFailure = allowDeviceUseOnInstallFailure
        self.selectedMobileAppIds = selectedMobileAppIds
        self.allowNonBlockingAppInstallation = allowNonBlockingAppInstallation
        self.installQualityUpdates = installQualityUpdates
        self.trackInstallProgressForAutopilotOnly = trackInstallProgressForAutopilotOnly
        self.disableUserStatusTrackingAfterFirstUser = disableUserStatusTrackingAfterFirstUser
        self.createdDateTime = createdDateTime
        self.assignments = assignments
    }
}
