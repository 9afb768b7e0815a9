import Foundation
import DeviceIdentity
import Autopilot

/// Reads the Autopilot sections of a lab file: `tenant`, `groups`, `apps`, `policies`, `esp`
/// and `profiles`, checking every cross-reference (a profile assigned to a group that does not
/// exist, an ESP blocking an unknown app...).
struct AutopilotSectionsReader {
    let lab: String
    let devices: [LabDevice]
    let log: DiagnosticLog

    /// Objects without an explicit creation time are created a minute apart in file order, so the
    /// first one in the file is the oldest (which matters: the oldest profile wins).
    static let creationEpoch = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// The tenant, how long newly targeted devices stay "assigning" (`assignmentDelay`), how long
    /// identities uploaded through Graph stay `unknown` (`importDelay`) and how long an Autopilot
    /// sync runs (`syncDuration`).
    func tenant(_ value: YAMLValue?) -> (tenant: Tenant, assignmentDelay: Double, importDelay: Double, syncDuration: Double) {
        let fallback = Tenant(id: IdentifierAllocator.stableUUID("tenant", lab),
                              domain: "\(lab.lowercased().filter { $0.isLetter || $0.isNumber }).onmicrosoft.com",
                              displayName: lab)
        guard let value, let fields = value.mapping(allowing: ["id", "domain", "name", "assignmentDelay", "importDelay", "syncDuration"]) else {
            return (fallback, 0, 0, 0)
        }
        var tenant = fallback
        if let id = fields["id"] {
            if let text = id.string() {
                if let uuid = UUID(uuidString: text) { tenant.id = uuid } else { id.error("'\(text)' is not a tenant id (a GUID)") }
            }
        }
        if let domain = fields["domain"], let text = domain.nonEmptyString() {
            if text.contains(" ") || !text.contains(".") {
                domain.error("'\(text)' is not a domain name")
            } else {
                tenant.domain = text
            }
        }
        if let name = fields["name"]?.nonEmptyString() { tenant.displayName = name }
        return (tenant, fields["assignmentDelay"]?.duration() ?? 0, fields["importDelay"]?.duration() ?? 0,
                fields["syncDuration"]?.duration() ?? 0)
    }

    func groups(_ value: YAMLValue?) -> [DeviceGroup] {
        guard let items = value?.sequence() else { return [] }
        var groups: [DeviceGroup] = []
        for item in items {
            guard let fields = item.mapping(allowing: ["name", "id", "rule", "members"]),
                  let name = fields.required("name")?.nonEmptyString() else { continue }
            if name.caseInsensitiveCompare(DeploymentProfile.allDevices) == .orderedSame || groups.contains(where: { $0.displayName == name }) {
                fields.error("name", "group '\(name)' is already defined (or is the built-in 'All devices')")
                continue
            }
            let membership: DeviceGroup.Membership
            switch (fields["rule"], fields["members"]) {
            case (let rule?, nil):
                guard let text = rule.nonEmptyString() else { continue }
                do {
                    membership = .dynamic(try MembershipRule(text))
                } catch {
                    rule.error("rule \(error.description)\n\(error.snippet)")
                    continue
                }
            case (nil, let members?):
                guard let serials = members.stringList() else { continue }
                for (index, serial) in serials.enumerated() where !devices.contains(where: { $0.identity.serial == serial }) {
                    log.error(at: members.mark, "\(members.path)[\(index)]", "no device in the fleet has serial '\(serial)'")
                }
                membership = .assigned(serials: serials)
            case (.some, .some):
                item.error("a group has either a dynamic `rule` or assigned `members`, not both")
                continue
            case (nil, nil):
                item.error("a group needs a dynamic `rule` or a list of `members` (serials)")
                continue
            }
            let id = fields["id"]?.nonEmptyString() ?? IdentifierAllocator.stableUUID("group", lab, name).uuidString.lowercased()
            groups.append(DeviceGroup(id: id, displayName: name, membership: membership))
        }
        return groups
    }

    func apps(_ value: YAMLValue?) -> [App] {
        guard let items = value?.sequence() else { return [] }
        var apps: [App] = []
        for item in items {
            guard let fields = item.mapping(allowing: ["displayName", "id", "kind", "target", "installTime", "size",
                                                      "required", "assignments"]),
                  let name = fields.required("displayName")?.nonEmptyString() else { continue }
            let id = fields["id"]?.nonEmptyString() ?? Self.slug(name)
            if apps.contains(where: { $0.id == id || $0.displayName == name }) {
                fields.error("displayName", "app '\(name)' (id \(id)) is declared twice")
                continue
            }
            apps.append(App(id: id, displayName: name,
                            kind: fields["kind"]?.oneOf(App.Kind.self) ?? .win32,
                            target: fields["target"]?.oneOf(InstallTarget.self) ?? .device,
                            installSeconds: fields["installTime"]?.duration() ?? 30,
                            sizeBytes: fields["size"]?.bytes(defaultUnit: .mib) ?? 50_000_000,
                            required: fields["required"]?.bool() ?? true,
                            assignments: fields["assignments"]?.stringList() ?? []))
        }
        return apps
    }

    func configurations(_ value: YAMLValue?) -> [ConfigurationItem] {
        guard let items = value?.sequence() else { return [] }
        var configurations: [ConfigurationItem] = []
        for item in items {
            guard let fields = item.mapping(allowing: ["displayName", "id", "kind", "target", "applyTime", "assignments"]),
                  let name = fields.required("displayName")?.nonEmptyString() else { continue }
            let id = fields["id"]?.nonEmptyString() ?? Self.slug(name)
            if configurations.contains(where: { $0.id == id }) {
                fields.error("displayName", "policy '\(name)' (id \(id)) is declared twice")
                continue
            }
            configurations.append(ConfigurationItem(
                id: id, displayName: name,
                kind: fields["kind"]?.oneOf(ConfigurationItem.Kind.self) ?? .policy,
                target: fields["target"]?.oneOf(InstallTarget.self) ?? .device,
                applySeconds: fields["applyTime"]?.duration() ?? 2,
                assignments: fields["assignments"]?.stringList() ?? []))
        }
        return configurations
    }

    func enrollmentStatusPages(_ value: YAMLValue?, groups: [DeviceGroup], apps: [App]) -> [EnrollmentStatusPage] {
        guard let items = value?.sequence() else { return [] }
        var pages: [EnrollmentStatusPage] = []
        for (index, item) in items.enumerated() {
            guard let page = ESPReader(lab: lab, log: log).read(item, index: index, groups: groups, apps: apps) else { continue }
            if pages.contains(where: { $0.displayName == page.displayName }) {
                item.error("ESP profile '\(page.displayName)' is declared twice")
                continue
            }
            pages.append(page)
        }
        return pages
    }

    func profiles(_ value: YAMLValue?, groups: [DeviceGroup]) -> [DeploymentProfile] {
        guard let items = value?.sequence() else { return [] }
        var profiles: [DeploymentProfile] = []
        for (index, item) in items.enumerated() {
            let reader = ProfileReader(log: log, defaultID: { name in
                IdentifierAllocator.stableUUID("profile", lab, name).uuidString.lowercased()
            }, defaultCreation: Self.creationEpoch.addingTimeInterval(Double(index) * 60))
            guard let profile = reader.read(item) else { continue }
            if profiles.contains(where: { $0.displayName == profile.displayName }) {
                item.error("profile '\(profile.displayName)' is declared twice")
                continue
            }
            checkAssignments(profile.assignments + profile.exclusions, in: item, groups: groups)
            profiles.append(profile)
        }
        return profiles
    }

    /// Reports assignments to groups that do not exist.
    func checkAssignments(_ names: [String], in item: YAMLValue, groups: [DeviceGroup]) {
        for name in names where name != DeploymentProfile.allDevices && !groups.contains(where: { $0.displayName == name }) {
            let known = [DeploymentProfile.allDevices] + groups.map(\.displayName)
            let hint = Spelling.closest(to: name, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            item.error("assigned to '\(name)', which is not a group in `groups`\(hint)")
        }
    }

    /// A readable id from a display name: `Company Portal` becomes `company-portal`.
    static func slug(_ name: String) -> String {
        let words = name.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return words.joined(separator: "-")
    }
}
