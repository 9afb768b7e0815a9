public import Foundation
public import Autopilot
public import LabStore
public import LabFiles
import DeviceIdentity
import Synchronization

/// The lab's Autopilot service: its configuration, with the registry and assignments kept in the
/// lab's store. It registers devices (from the lab file and from CSV files), resolves what
/// reaches each device, and answers devices that ask for their profile.
public final class AutopilotService: Sendable {
    public let store: LabStore
    private let state: Mutex<ServiceConfiguration>
    /// Changes the configuration one at a time (readers never wait for a change to be stored).
    private let changes = Mutex(())
    /// Counts changes to the configuration and the registry, so that views built from them
    /// (the dashboard's) know when to build again.
    private let changeCount = Atomic<Int>(0)
    /// Counts uploads that may wait for processing; 0 once a pass found none left, so that the
    /// lookups devices make (a profile, a registration) skip the store's check. Starts marked:
    /// the store may hold uploads from before this service started.
    let uploadMarks = Atomic<Int>(1)
    let clock: @Sendable () -> Date

    public init(store: LabStore, configuration: ServiceConfiguration, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.state = Mutex(configuration)
        self.clock = clock
    }

    /// The configuration in force.
    public var configuration: ServiceConfiguration { state.withLock { $0 } }

    /// How many times the configuration or the registry changed since the service started.
    public var revision: Int { changeCount.load(ordering: .acquiring) }

    /// Changes the configuration (profiles, groups...) and stores it, as one step: the change is in
    /// force once it is stored, and a change that throws, or that cannot be stored, leaves the
    /// configuration as it was. Assignments follow at their next resolution.
    @discardableResult
    public func configure<Result>(_ change: (inout ServiceConfiguration) throws -> Result) throws -> Result {
        try changes.withLock { _ in
            var configuration = self.configuration
            let result = try change(&configuration)
            try store.saveConfiguration(configuration)
            state.withLock { $0 = configuration }
            changed()
            return result
        }
    }

    /// Notes a change to the registry or the configuration.
    func changed() {
        changeCount.add(1, ordering: .releasing)
    }

    public var tenant: Tenant { configuration.tenant }

    // MARK: Registration

    /// Registers the lab file's devices that are marked `registered` and not registered yet, as
    /// an OEM would, with their first hardware-hash collection. Returns the new registrations.
    @discardableResult
    public func registerFleet(of labFile: LabFile) throws -> [RegisteredDevice] {
        let new = fleetRegistrations(of: labFile, except: Set(try store.registeredDevices().map(\.serialNumber)))
        try store.register(new)
        changed()
        return new
    }

    /// The registrations an OEM makes for the lab file's registered devices, one per serial,
    /// leaving out serials already known.
    private func fleetRegistrations(of labFile: LabFile, except known: Set<String>) -> [RegisteredDevice] {
        var seen = Set<String>()
        return labFile.devices.filter { device in
            device.registered && !known.contains(device.identity.serial) && seen.insert(device.identity.serial).inserted
        }.map { device in
            RegisteredDevice(id: IdentifierAllocator.stableUUID("ztd", labFile.lab, device.name).uuidString.lowercased(),
                             tenantID: tenant.id, serialNumber: device.identity.serial,
                             hardwareHash: labFile.hardwareHash(of: device), manufacturer: device.identity.manufacturer,
                             model: device.identity.product, groupTag: device.groupTag,
                             purchaseOrderIdentifier: device.purchaseOrder, assignedUser: device.assignedUser,
                             registeredAt: clock(), source: "lab file \(URL(fileURLWithPath: labFile.source).lastPathComponent)")
        }
    }

    /// Puts the tenant back as the lab file declares it, for a fresh run: the lab file's
    /// configuration (profiles, groups, assignments), and the lab devices' registrations, in
    /// every tenant, replaced by the lab file's (so a scenario's retire, CSV import or group-tag
    /// change does not carry into the next run).
    public func restore(from labFile: LabFile) throws {
        try configure { $0 = labFile.serviceConfiguration }
        try store.replaceRegistrations(ofSerials: Set(labFile.devices.map(\.identity.serial)),
                                       with: fleetRegistrations(of: labFile, except: []))
        changed()
    }

    // MARK: Assignment

    /// The profile assignment of a registration, resolved again now and stored.
    public func assignment(of device: RegisteredDevice) throws -> (ProfileAssignment, DeploymentProfile?) {
        let profile = AssignmentResolver(configuration: configuration).profile(for: device)
        let stored = try store.assignment(for: device.id)
        let current = Self.assignment(stored, reconciledWith: profile, at: clock())
        if current != stored { try store.setAssignment(current, for: device.id) }
        return (current, profile)
    }

    /// A stored assignment after resolving again (a new one when there was none).
    static func assignment(_ stored: ProfileAssignment?, reconciledWith profile: DeploymentProfile?, at now: Date) -> ProfileAssignment {
        stored?.reconciled(with: profile, at: now) ?? ProfileAssignment(profileID: profile?.id, since: now)
    }

    /// What the service answers a device that asks for its profile, matched by serial number.
    public func discoverProfile(serial: String) throws -> ProfileDiscovery {
        try processDueImports()
        let registrations = try store.registeredDevices(serial: serial)
        guard let device = registrations.first(where: { $0.tenantID == tenant.id }) else {
            if let foreign = registrations.first { return .otherTenant(tenantID: foreign.tenantID) }
            return .notRegistered
        }
        let (assignment, profile) = try assignment(of: device)
        let completes = !(try store.serials(withFault: .neverAssigned).contains(serial))
        switch assignment.status(at: clock(), delaySeconds: configuration.assignmentDelaySeconds, completes: completes) {
        case .notAssigned:
            return .noProfile
        case .assigning where !completes:
            // Windows does not wait for an assignment at OOBE: without a profile it goes on
            // with the standard OOBE.
            return .noProfile
        case .assigning:
            let remaining = configuration.assignmentDelaySeconds - clock().timeIntervalSince(assignment.since)
            return .assigning(retryAfterSeconds: max(1, remaining.rounded(.up)))
        case .assigned:
            return profile.map { .assigned($0, registration: device) } ?? .noProfile
        }
    }
}

