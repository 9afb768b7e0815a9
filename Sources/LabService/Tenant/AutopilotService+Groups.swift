import Foundation
public import Autopilot

extension AutopilotService {
    /// Who belongs to a new group: the devices a dynamic rule matches (Entra's rule syntax), or
    /// devices listed by serial number.
    public enum NewMembership: Sendable, Equatable {
        case rule(String)
        case members([String])
    }

    /// Adds a device group; profiles assigned to it reach its members from their next resolution.
    public func addGroup(named name: String, _ membership: NewMembership) throws -> DeviceGroup {
        let parsed: DeviceGroup.Membership
        switch membership {
        case .rule(let text):
            do { parsed = .dynamic(try MembershipRule(text)) } catch { throw LabError.badRule(error.description, column: error.column) }
        case .members(let serials):
            parsed = .assigned(serials: serials)
        }
        let group = DeviceGroup(id: UUID().uuidString.lowercased(), displayName: name, membership: parsed)
        try configure { configuration in
            guard !configuration.groups.contains(where: { $0.displayName == name }) else { throw LabError.groupExists(name) }
            configuration.groups.append(group)
        }
        return group
    }
}

extension AutopilotService {
    /// Adds a device to an assigned group (Entra's `members/$ref`); a member already is refused,
    /// as Entra refuses it. A dynamic group's members come from its rule only.
    public func addMember(serial: String, toGroup id: String) throws {
        try configure { configuration in
            guard let index = configuration.groups.firstIndex(where: { $0.id == id }) else { throw LabError.unknownGroup(id) }
            let group = configuration.groups[index]
            guard case .assigned(let serials) = group.membership else { throw LabError.dynamicGroup(group.displayName) }
            guard !serials.contains(serial) else { throw LabError.alreadyMember(serial: serial, group: group.displayName) }
            configuration.groups[index].membership = .assigned(serials: serials + [serial])
        }
    }
}

extension AutopilotService {
    /// Removes a device from an assigned group; nothing changes when it is not a member.
    public func removeMember(serial: String, fromGroup id: String) throws {
        try configure { configuration in
            guard let index = configuration.groups.firstIndex(where: { $0.id == id }) else { throw LabError.unknownGroup(id) }
            guard case .assigned(let serials) = configuration.groups[index].membership else {
                throw LabError.dynamicGroup(configuration.groups[index].displayName)
            }
            configuration.groups[index].membership = .assigned(serials: serials.filter { $0 != serial })
        }
    }

    /// Deletes a group and, as Intune does once a targeted group is gone, every assignment and
    /// exclusion that named it: its members keep what other groups bring them.
    public func deleteGroup(id: String) throws {
        try configure { configuration in
            guard let index = configuration.groups.firstIndex(where: { $0.id == id }) else { throw LabError.unknownGroup(id) }
            let name = configuration.groups.remove(at: index).displayName
            for profile in configuration.profiles.indices {
                configuration.profiles[profile].assignments.removeAll { $0 == name }
                configuration.profiles[profile].exclusions.removeAll { $0 == name }
            }
            for page in configuration.enrollmentStatusPages.indices { configuration.enrollmentStatusPages[page].assignments.removeAll { $0 == name } }
            for app in configuration.apps.indices { configuration.apps[app].assignments.removeAll { $0 == name } }
            for item in configuration.configurations.indices { configuration.configurations[item].assignments.removeAll { $0 == name } }
        }
    }
}
