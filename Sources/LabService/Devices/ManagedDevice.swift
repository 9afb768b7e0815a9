public import Foundation
public import Autopilot
public import DeviceProtocol
public import LabStore

/// A device enrolled in the lab's MDM (Intune's `managedDevice`): its enrollment, its Autopilot
/// registration, the lab device it is and the name it got at its desktop.
public struct ManagedDevice: Sendable {
    public var enrollment: EnrollmentRecord
    public var registration: RegisteredDevice
    /// The lab device with the registration's serial number.
    public var device: String
    public var lifecycle: DeviceLifecycle?
    /// The name the device got when it last reached its desktop.
    public var deviceName: String?
    public var lastSeenAt: Date?
    /// Its compliance with the policies assigned to it, from the health it reported at enrollment.
    public var compliance: DeviceCompliance

    public var id: String { enrollment.mdmDeviceId }
}

extension Lab {
    /// The devices enrolled in MDM, in enrollment order.
    public func managedDevices() throws -> [ManagedDevice] {
        try managedDevices(try store.enrollments())
    }

    /// An enrolled device by its MDM id.
    public func managedDevice(id: String) throws -> ManagedDevice? {
        try managedDevices(try store.enrollments().filter { $0.mdmDeviceId == id }).first
    }

    /// These enrollments as managed devices: those whose registration is this tenant's and whose
    /// serial a lab device has, each with the name from its last desktop.
    private func managedDevices(_ enrollments: [EnrollmentRecord]) throws -> [ManagedDevice] {
        guard !enrollments.isEmpty else { return [] }
        let registrations = Dictionary(try autopilot.registrations().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let records = Dictionary(try store.devices().map { ($0.serial, $0) }, uniquingKeysWith: { first, _ in first })
        let names = Dictionary(labFile.devices.map { ($0.identity.serial, $0.name) }, uniquingKeysWith: { first, _ in first })
        return try enrollments.sorted { $0.enrolledAt < $1.enrolledAt }.compactMap { enrollment in
            guard let registration = registrations[enrollment.registration], let device = names[registration.serialNumber] else { return nil }
            let record = records[registration.serialNumber]
            return ManagedDevice(enrollment: enrollment, registration: registration, device: device, lifecycle: record?.lifecycle,
                                 deviceName: try store.events(of: device).lastReady?.deviceName, lastSeenAt: record?.lastSeenAt,
                                 compliance: autopilot.compliance(of: registration, health: enrollment.health))
        }
    }

    /// Deletes a device from MDM: its enrollment is forgotten (its Autopilot registration stays,
    /// so it enrolls again at its next deployment). Returns whether it was enrolled.
    @discardableResult
    public func removeManagedDevice(id: String) throws -> Bool {
        guard let managed = try managedDevice(id: id) else { return false }
        return try store.deleteEnrollment(of: managed.registration.id)
    }
}
