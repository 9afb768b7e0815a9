public import Foundation
public import Autopilot
import DeviceIdentity

extension AutopilotService {
    /// Imports a hardware-hash CSV: every row is registered, or none is and every problem is
    /// reported (rows are checked against the file's own rules and against every tenant's registry).
    public func importCSV(_ data: Data, source: String) throws -> [RegisteredDevice] {
        let rows = try AutopilotCSV.read(data, source: source)
        let registrations = try Registration.register(rows, source: source, tenant: tenant.id,
                                                      existing: try store.registeredDevices(), at: clock(),
                                                      makeID: { UUID().uuidString.lowercased() })
        let completed = registrations.map { device in
            var device = device
            if let text = device.hardwareHash, let hash = try? HardwareHash(base64: text) { device.fillMakeAndModel(from: hash) }
            return device
        }
        try store.register(completed)
        changed()
        return completed
    }

    /// This tenant's registrations as a CSV Intune imports (ASCII, CRLF, padded hashes).
    public func exportCSV() throws -> Data {
        AutopilotCSV.write(try registrations())
    }

    /// Deletes a device's registration (in this tenant). Returns whether there was one.
    @discardableResult
    public func deregister(serial: String) throws -> Bool {
        let tenant = tenant.id
        let removed = try store.rewriteRegistrations(serial: serial) { registrations in
            (registrations.filter { $0.tenantID != tenant }, registrations.contains { $0.tenantID == tenant })
        }
        if removed { changed() }
        return removed
    }

    /// This tenant's registrations, oldest first.
    public func registrations() throws -> [RegisteredDevice] {
        try processDueImports()
        return try store.registeredDevices().filter { $0.tenantID == tenant.id }
    }

    /// This tenant's registration with a ZTDId (Graph's `windowsAutopilotDeviceIdentity` id).
    public func registration(id: String) throws -> RegisteredDevice? {
        try processDueImports()
        return try store.registeredDevice(id: id).flatMap { $0.tenantID == tenant.id ? $0 : nil }
    }

    /// This tenant's registration of a serial number.
    public func registration(serial: String) throws -> RegisteredDevice? {
        try processDueImports()
        return try store.registeredDevices(serial: serial).first { $0.tenantID == tenant.id }
    }

    /// What an update changes on a registration; nil leaves a property as it is, an empty text
    /// clears it.
    public struct RegistrationUpdate: Sendable, Equatable {
        public var groupTag: String?
        public var assignedUser: String?
        /// The name the sign-in page greets the assigned user by.
        public var addressableUserName: String?
        /// The name the device gets at deployment, instead of its profile's template.
        public var displayName: String?

        public init(groupTag: String? = nil, assignedUser: String? = nil, addressableUserName: String? = nil,
                    displayName: String? = nil) {
            self.groupTag = groupTag
            self.assignedUser = assignedUser
            self.addressableUserName = addressableUserName
            self.displayName = displayName
        }

        public var isEmpty: Bool { groupTag == nil && assignedUser == nil && addressableUserName == nil && displayName == nil }
    }

    /// Updates this tenant's registrations of a serial number (Graph's
    /// `updateDeviceProperties`): its group tag (and so its groups and profile), user or name.
    /// Returns the registrations as they are now; none when the serial is not registered here.
    @discardableResult
    public func update(serial: String, _ update: RegistrationUpdate) throws -> [RegisteredDevice] {
        if let tag = update.groupTag, let problem = GroupTag.problem(tag) { throw LabError.badGroupTag(problem) }
        let tenant = tenant.id
        let updated = try store.rewriteRegistrations(serial: serial) { registrations in
            let next = registrations.map { registration in
                guard registration.tenantID == tenant else { return registration }
                var registration = registration
                if let tag = update.groupTag { registration.groupTag = tag.isEmpty ? nil : tag }
                if let user = update.assignedUser { registration.assignedUser = user.isEmpty ? nil : user }
                if let name = update.addressableUserName { registration.addressableUserName = name.isEmpty ? nil : name }
                if let name = update.displayName { registration.displayName = name.isEmpty ? nil : name }
                return registration
            }
            return (next, next.filter { $0.tenantID == tenant })
        }
        if !update.isEmpty && !updated.isEmpty { changed() }
        return updated
    }
}

extension AutopilotService {
    /// The tenant a lab uses for devices "already registered to another tenant".
    public static let otherTenant = UUID(uuidString: "0e8f1a6c-0000-4000-8000-00000000f0ee")!

    /// Re-registers a serial to another tenant (the "already assigned to another tenant" field
    /// bug): the lab's registration goes, another tenant's takes its place.
    public func moveToOtherTenant(serial: String) throws {
        let (tenant, now) = (tenant.id, clock())
        // One transaction: this tenant's registration goes as the other tenant's comes.
        let moved = try store.rewriteRegistrations(serial: serial) { registrations in
            guard !registrations.contains(where: { $0.tenantID == Self.otherTenant }) else { return (registrations, false) }
            let template = registrations.first
            let other = RegisteredDevice(
                id: IdentifierAllocator.stableUUID("ztd-other-tenant", serial).uuidString.lowercased(), tenantID: Self.otherTenant,
                serialNumber: serial, hardwareHash: template?.hardwareHash, manufacturer: template?.manufacturer,
                model: template?.model, registeredAt: now, source: "another tenant (injected fault)")
            return (registrations.filter { $0.tenantID != tenant } + [other], true)
        }
        if moved { changed() }
    }
}
