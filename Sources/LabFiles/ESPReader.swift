import Foundation
import DeviceIdentity
import Autopilot

/// Reads one Enrollment Status Page profile, in Graph's field names.
struct ESPReader {
    let lab: String
    let log: DiagnosticLog

    static let fields = ["@odata.type", "id", "displayName", "description", "priority", "showInstallationProgress",
                         "blockDeviceSetupRetryByUser", "allowDeviceResetOnInstallFailure",
                         "allowLogCollectionOnInstallFailure", "customErrorMessage", "installProgressTimeoutInMinutes",
                         "allowDeviceUseOnInstallFailure", "selectedMobileAppIds", "allowNonBlockingAppInstallation",
                         "installQualityUpdates", "trackInstallProgressForAutopilotOnly",
                         "disableUserStatusTrackingAfterFirstUser", "createdDateTime", "assignments"]

    func read(_ item: YAMLValue, index: Int, groups: [DeviceGroup], apps: [App]) -> EnrollmentStatusPage? {
        guard let fields = item.mapping(allowing: Self.fields),
              let name = fields.required("displayName")?.nonEmptyString() else { return nil }
        if let type = fields["@odata.type"], let text = type.string(),
           text != "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration" {
            type.error("'\(text)' is not #microsoft.graph.windows10EnrollmentCompletionPageConfiguration")
        }
        var blocking: [String] = []
        if let selected = fields["selectedMobileAppIds"], let references = selected.stringList() {
            for (position, reference) in references.enumerated() {
                guard let app = apps.first(where: { $0.id == reference || $0.displayName == reference }) else {
                    log.error(at: selected.mark, "\(selected.path)[\(position)]", "no app '\(reference)' in `apps`")
                    continue
                }
                blocking.append(app.id)
            }
            if blocking.count > EnrollmentStatusPage.maximumBlockingApps {
                selected.error("\(blocking.count) blocking apps; the ESP tracks at most 100")
            }
        }
        let created = fields["createdDateTime"].flatMap(GraphDate.read)
            ?? AutopilotSectionsReader.creationEpoch.addingTimeInterval(Double(index) * 60)
        let page = EnrollmentStatusPage(
            id: fields["id"]?.nonEmptyString() ?? IdentifierAllocator.stableUUID("esp", lab, name).uuidString.lowercased(),
            displayName: name,
            description: fields["description"]?.string(),
            priority: fields["priority"]?.int(in: 0...1000) ?? index + 1,
            showInstallationProgress: fields["showInstallationProgress"]?.bool() ?? true,
            blockDeviceSetupRetryByUser: fields["blockDeviceSetupRetryByUser"]?.bool() ?? false,
            allowDeviceResetOnInstallFailure: fields["allowDeviceResetOnInstallFailure"]?.bool() ?? false,
            allowLogCollectionOnInstallFailure: fields["allowLogCollectionOnInstallFailure"]?.bool() ?? true,
            customErrorMessage: fields["customErrorMessage"]?.nonEmptyString(),
            installProgressTimeoutInMinutes: fields["installProgressTimeoutInMinutes"]?.int(in: 1...1440) ?? 60,
            allowDeviceUseOnInstallFailure: fields["allowDeviceUseOnInstallFailure"]?.bool() ?? false,
            selectedMobileAppIds: blocking,
            allowNonBlockingAppInstallation: fields["allowNonBlockingAppInstallation"]?.bool() ?? false,
            installQualityUpdates: fields["installQualityUpdates"]?.bool() ?? false,
            trackInstallProgressForAutopilotOnly: fields["trackInstallProgressForAutopilotOnly"]?.bool() ?? true,
            disableUserStatusTrackingAfterFirstUser: fields["disableUserStatusTrackingAfterFirstUser"]?.bool() ?? true,
            createdDateTime: created,
            assignments: fields["assignments"]?.stringList() ?? [DeploymentProfile.allDevices])
        AutopilotSectionsReader(lab: lab, devices: [], log: log).checkAssignments(page.assignments, in: item, groups: groups)
        return page
    }
}

/// Graph's date-time values: ISO 8601 with up to seven fractional digits and an offset.
enum GraphDate {
    static func read(_ value: YAMLValue) -> Date? {
        guard let text = value.string() else { return nil }
        guard let date = parse(text) else {
            value.error("'\(text)' is not an ISO 8601 date-time such as 2026-01-31T09:30:00Z")
            return nil
        }
        return date
    }

    static func parse(_ text: String) -> Date? {
        // ISO8601DateFormatter reads at most three fractional digits; Graph writes up to seven.
        var trimmed = text
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
            let kept = digits.prefix(3)
            trimmed = String(text[..<dot]) + (kept.isEmpty ? "" : "." + kept) + text[text.index(after: dot)...].dropFirst(digits.count)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = trimmed.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter.date(from: trimmed)
    }
}
