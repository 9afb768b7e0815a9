public import Foundation
public import Autopilot
public import LabStore
public import LabTopology
import DeviceIdentity
import Synchronization

/// The lab's Autopilot service: its configuration, with the registry and assignments kept in the
/// lab's store. It registers devices (from the lab file and from CSV files), resolves what
/// reaches each device, and answers devices that ask for their profile.
public final class AutopilotService: Sendable {
    public let store: LabStore
    private let state: Mutex<ServiceConfiguration>
    private let clock: @Sendable () -> Date

    public init(store: LabStore, configuration: ServiceConfiguration, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.state = Mutex(configuration)
        self.clock = clock
    }

    /// The configuration in force.
    public var configuration: ServiceConfiguration { state.withLock { $0 } }

    /// Replaces the configuration (profiles, groups...); assignments follow at the next resolution.
    public func configure(_ change: (inout ServiceConfiguration) -> Void) {
        state.withLock { change(&$0) }
    }

    public var tenant: Tenant { configuration.tenant }

    // MARK: Registration

    /// Registers the lab file's devices that are marked `registered` and not registered yet, as
    /// an OEM would, with their first hardware-hash collection. Returns the new registrations.
    @discardableResult
    public func registerFleet(of topology: Topology) throws -> [RegisteredDevice] {
        let new = fleetRegistrations(of: topology, except: Set(try store.registeredDevices().map(\.serialNumber)))
        try store.register(new)
        return new
    }

    /// The registrations an OEM makes for the lab file's registered devices, one per serial,
    /// leaving out serials already known.
    private func fleetRegistrations(of topology: Topology, except known: Set<String>) -> [RegisteredDevice] {
        var seen = Set<String>()
        return topology.devices.filter { device in
            device.registered && !known.contains(device.identity.serial) && seen.insert(device.identity.serial).inserted
        }.map { device in
            RegisteredDevice(id: IdentifierAllocator.stableUUID("ztd", topology.lab, device.name).uuidString.lowercased(),
                             tenantID: tenant.id, serialNumber: device.identity.serial,
                             hardwareHash: topology.hardwareHash(of: device), manufacturer: device.identity.manufacturer,
                             model: device.identity.product, groupTag: device.groupTag,
                             purchaseOrderIdentifier: device.purchaseOrder, assignedUser: device.assignedUser,
                             registeredAt: clock(), source: "lab file \(URL(fileURLWithPath: topology.source).lastPathComponent)")
        }
    }

    /// Puts the tenant back as the lab file declares it, for a fresh run: the lab file's
    /// configuration (profiles, groups, assignments), and the lab devices' registrations, in
    /// every tenant, replaced by the lab file's (so a scenario's retire, CSV import or group-tag
    /// change does not carry into the next run).
    public func restore(from topology: Topology) throws {
        let configuration = topology.serviceConfiguration
        configure { $0 = configuration }
        try store.saveConfiguration(configuration)
        try store.replaceRegistrations(ofSerials: Set(topology.devices.map(\.identity.serial)),
                                       with: fleetRegistrations(of: topology, except: []))
    }

    /// Imports a hardware-hash CSV: every row is registered, or none is and every problem is
    /// reported (rows are checked against the file's own rules and against every tenant's registry).
    public func importCSV(_ data: Data, source: String) throws -> [RegisteredDevice] {
        let rows = try AutopilotCSV.read(data, source: source)
        let registrations = try Registration.register(rows, source: source, tenant: tenant.id,
                                                      existing: try store.registeredDevices(), at: clock(),
                                                      makeID: { UUID().uuidString.lowercased() })
        // Intune fills manufacturer and model from the hash when the file does not give them.
        let completed = registrations.map { device in
            var device = device
            if let text = device.hardwareHash, let hash = try? HardwareHash(base64: text) {
                device.manufacturer = device.manufacturer ?? hash.manufacturer
                device.model = device.model ?? hash.product
            }
            return device
        }
        try store.register(completed)
        return completed
    }

    /// This tenant's registrations as a CSV Intune imports (ASCII, CRLF, padded hashes).
    public func exportCSV() throws -> Data {
        AutopilotCSV.write(try store.registeredDevices().filter { $0.tenantID == tenant.id })
    }

    /// Deletes a device's registration (in this tenant). Returns whether there was one.
    @discardableResult
    public func deregister(serial: String) throws -> Bool {
        var removed = false
        for device in try store.registeredDevices(serial: serial) where device.tenantID == tenant.id {
            removed = try store.deregister(id: device.id) || removed
        }
        return removed
    }

    // MARK: Assignment

    /// The profile assignment of a registration, resolved again now and stored.
    public func assignment(of device: RegisteredDevice) throws -> (ProfileAssignment, DeploymentProfile?) {
        let configuration = configuration
        let profile = AssignmentResolver(configuration: configuration).profile(for: device)
        let now = clock()
        let stored = try store.assignment(for: device.id)
        let current = stored?.reconciled(with: profile, at: now) ?? ProfileAssignment(profileID: profile?.id, since: now)
        if current != stored { try store.setAssignment(current, for: device.id) }
        return (current, profile)
    }

    /// What the service answers a device that asks for its profile, matched by serial number.
    public func discoverProfile(serial: String) throws -> ProfileDiscovery {
        let registrations = try store.registeredDevices(serial: serial)
        guard let device = registrations.first(where: { $0.tenantID == tenant.id }) else {
            if let foreign = registrations.first { return .otherTenant(tenantID: foreign.tenantID) }
            return .notRegistered
        }
        let (assignment, profile) = try assignment(of: device)
        switch assignment.status(at: clock(), delaySeconds: configuration.assignmentDelaySeconds) {
        case .notAssigned:
            return .noProfile
        case .assigning:
            let remaining = configuration.assignmentDelaySeconds - clock().timeIntervalSince(assignment.since)
            return .assigning(retryAfterSeconds: max(1, remaining.rounded(.up)))
        case .assigned:
            return profile.map { .assigned($0, registration: device) } ?? .noProfile
        }
    }
}

extension AutopilotService {
    /// The tenant a lab uses for devices "already registered to another tenant".
    public static let otherTenant = UUID(uuidString: "0e8f1a6c-0000-4000-8000-00000000f0ee")!

    /// Re-registers a serial to another tenant (the "already assigned to another tenant" field
    /// bug): the lab's registration goes, another tenant's takes its place.
    public func moveToOtherTenant(serial: String) throws {
        let registrations = try store.registeredDevices(serial: serial)
        guard !registrations.contains(where: { $0.tenantID == Self.otherTenant }) else { return }
        for registration in registrations where registration.tenantID == tenant.id {
            try store.deregister(id: registration.id)
        }
        let template = registrations.first
        try store.register([RegisteredDevice(
            id: IdentifierAllocator.stableUUID("ztd-other-tenant", serial).uuidString.lowercased(), tenantID: Self.otherTenant,
            serialNumber: serial, hardwareHash: template?.hardwareHash, manufacturer: template?.manufacturer,
            model: template?.model, registeredAt: clock(), source: "another tenant (injected fault)")])
    }
}

extension AutopilotService {
    /// Why MDM refused an enrollment.
    public struct EnrollmentRefusal: Error, CustomStringConvertible {
        public let errorCode: UInt32
        public let description: String
    }

    /// Enrolls a registered device in MDM. A self-deploying or pre-provisioned device that was
    /// enrolled before cannot enroll again (0x80180014) until its record is deleted (deregister
    /// and register it again) or its next enrollment is allowed.
    public func enroll(serial: String, mode: String) throws -> EnrollmentRecord {
        guard let registration = try store.registeredDevices(serial: serial).first(where: { $0.tenantID == tenant.id }) else {
            throw EnrollmentRefusal(errorCode: 0x80180014, description: "the device is not registered with Autopilot in this tenant")
        }
        if let earlier = try store.enrollment(of: registration.id),
           ["self-deploying", "pre-provisioning"].contains(earlier.mode), !earlier.reenrollmentAllowed {
            throw EnrollmentRefusal(errorCode: 0x80180014, description: "this \(earlier.mode) device was enrolled on "
                + "\(ISO8601DateFormatter().string(from: earlier.enrolledAt)); it cannot enroll again until its Autopilot "
                + "record is deleted or its next enrollment is allowed")
        }
        let record = EnrollmentRecord(registration: registration.id, mdmDeviceId: UUID().uuidString.lowercased(), mode: mode,
                                      enrolledAt: clock(), reenrollmentAllowed: false)
        try store.recordEnrollment(record)
        return record
    }
}
