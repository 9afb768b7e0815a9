public import Foundation

/// The Entra tenant the lab's Autopilot service belongs to.
public struct Tenant: Codable, Equatable, Sendable {
    /// The tenant id (a GUID), `CloudAssignedTenantId` in an offline profile.
    public var id: UUID
    /// The tenant's primary domain, such as `contoso.onmicrosoft.com`.
    public var domain: String
    /// The organisation's name, shown on the branded sign-in page.
    public var displayName: String

    public init(id: UUID, domain: String, displayName: String) {
        self.id = id
        self.domain = domain
        self.displayName = displayName
    }
}
