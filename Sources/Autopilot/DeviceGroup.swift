/// An Entra device group that profiles, ESP, apps and policies are assigned to.
public struct DeviceGroup: Equatable, Sendable, Codable {
    public var id: String
    public var displayName: String
    public var membership: Membership

    public init(id: String, displayName: String, membership: Membership) {
        self.id = id
        self.displayName = displayName
        self.membership = membership
    }

    public enum Membership: Equatable, Sendable, Codable {
        /// A dynamic device group: members are the devices that match the rule.
        case dynamic(MembershipRule)
        /// An assigned group: members listed by serial number.
        case assigned(serials: [String])
    }
}
