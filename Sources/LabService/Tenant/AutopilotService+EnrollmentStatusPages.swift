import Foundation
public import Autopilot

/// Enrollment Status Page profiles (Intune's `windows10EnrollmentCompletionPageConfiguration`):
/// added, replaced, deleted, assigned to groups and ordered by priority. The tenant's default
/// ("All users and all devices") is Windows' own and stays.
extension AutopilotService {
    /// An ESP profile by id.
    public func enrollmentStatusPage(id: String) throws -> EnrollmentStatusPage {
        guard let page = configuration.enrollmentStatusPages.first(where: { $0.id == id }) else { throw LabError.noEnrollmentStatusPage(id) }
        return page
    }

    /// Adds an ESP profile, created now, after the others in priority.
    public func addEnrollmentStatusPage(_ page: EnrollmentStatusPage) throws -> EnrollmentStatusPage {
        var page = page
        page.createdDateTime = clock()
        return try configure { configuration in
            try Self.check(page, in: configuration)
            guard !configuration.enrollmentStatusPages.contains(where: { $0.id == page.id || $0.displayName == page.displayName }) else {
                throw LabError.enrollmentStatusPageExists(page.displayName)
            }
            page.priority = (configuration.enrollmentStatusPages.map(\.priority).max() ?? 0) + 1
            configuration.enrollmentStatusPages.append(page)
            return page
        }
    }

    /// Replaces an ESP profile's settings (its id, creation time, priority and assignments stay).
    public func replaceEnrollmentStatusPage(id: String, with page: EnrollmentStatusPage) throws -> EnrollmentStatusPage {
        try configure { configuration in
            guard let index = configuration.enrollmentStatusPages.firstIndex(where: { $0.id == id }) else {
                throw LabError.noEnrollmentStatusPage(id)
            }
            try Self.check(page, in: configuration)
            guard !configuration.enrollmentStatusPages.contains(where: { $0.id != id && $0.displayName == page.displayName }) else {
                throw LabError.enrollmentStatusPageExists(page.displayName)
            }
            let current = configuration.enrollmentStatusPages[index]
            var next = page
            (next.id, next.createdDateTime, next.priority, next.assignments) = (id, current.createdDateTime, current.priority, current.assignments)
            configuration.enrollmentStatusPages[index] = next
            return next
        }
    }

    public func deleteEnrollmentStatusPage(id: String) throws {
        try configure { configuration in
            guard configuration.enrollmentStatusPages.contains(where: { $0.id == id }) else { throw LabError.noEnrollmentStatusPage(id) }
            configuration.enrollmentStatusPages.removeAll { $0.id == id }
        }
    }

    /// Replaces an ESP profile's assignments with these groups (display names, or All devices).
    public func assignEnrollmentStatusPage(id: String, to groups: [String]) throws {
        try configure { configuration in
            try Self.checkGroups(groups, in: configuration)
            guard let index = configuration.enrollmentStatusPages.firstIndex(where: { $0.id == id }) else {
                throw LabError.noEnrollmentStatusPage(id)
            }
            configuration.enrollmentStatusPages[index].assignments = groups
        }
    }

    /// Moves an ESP profile to a priority (1 is first); the others keep their order around it.
    public func setPriority(ofEnrollmentStatusPage id: String, to priority: Int) throws {
        try configure { configuration in
            var pages = configuration.enrollmentStatusPages.sorted { $0.priority < $1.priority }
            guard let index = pages.firstIndex(where: { $0.id == id }) else { throw LabError.noEnrollmentStatusPage(id) }
            guard priority >= 1 else { throw LabError.badEnrollmentStatusPage("priority \(priority) is not 1 or more") }
            let page = pages.remove(at: index)
            pages.insert(page, at: min(priority - 1, pages.count))
            for position in pages.indices { pages[position].priority = position + 1 }
            configuration.enrollmentStatusPages = pages
        }
    }

    private static func check(_ page: EnrollmentStatusPage, in configuration: ServiceConfiguration) throws {
        guard !page.displayName.isEmpty else { throw LabError.badEnrollmentStatusPage("displayName is required") }
        guard (1...1440).contains(page.installProgressTimeoutInMinutes) else {
            throw LabError.badEnrollmentStatusPage("installProgressTimeoutInMinutes \(page.installProgressTimeoutInMinutes) is not 1 to 1440")
        }
        guard page.selectedMobileAppIds.count <= EnrollmentStatusPage.maximumBlockingApps else {
            throw LabError.badEnrollmentStatusPage("\(page.selectedMobileAppIds.count) blocking apps; at most \(EnrollmentStatusPage.maximumBlockingApps)")
        }
    }
}
