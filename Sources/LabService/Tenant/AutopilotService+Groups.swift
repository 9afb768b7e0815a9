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
