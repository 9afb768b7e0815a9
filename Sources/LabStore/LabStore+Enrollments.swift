public import Foundation
public import DeviceProtocol
import GRDB

/// An MDM enrollment the service remembers, by Autopilot registration.
public struct EnrollmentRecord: Codable, Sendable, Equatable {
    /// The registration's ZTDId.
    public var registration: String
    public var mdmDeviceId: String
    /// The Autopilot mode it enrolled in.
    public var mode: DeploymentMode
    public var enrolledAt: Date
    /// Whether the next enrollment of a self-deploying or pre-provisioned device is allowed.
    public var reenrollmentAllowed: Bool
    /// The health the device reported when it enrolled (nil: enrolled before the lab asked).
    public var health: DeviceHealth?

    public init(registration: String, mdmDeviceId: String, mode: DeploymentMode, enrolledAt: Date, reenrollmentAllowed: Bool,
                health: DeviceHealth?) {
        self.registration = registration
        self.mdmDeviceId = mdmDeviceId
        self.mode = mode
        self.enrolledAt = enrolledAt
        self.reenrollmentAllowed = reenrollmentAllowed
        self.health = health
    }
}

extension EnrollmentRecord: StoredValue {
    static let databaseTableName = "enrollmentRecord"
}

extension LabStore {
    public func enrollment(of registration: String) throws -> EnrollmentRecord? {
        try readOne { db in try Stored<EnrollmentRecord>.fetchOne(db, key: registration)?.value }
    }

    /// These registrations' enrollments.
    public func enrollments(of registrations: [String]) throws -> [EnrollmentRecord] {
        try read { db in try Stored<EnrollmentRecord>.filter(registrations.contains(Column("registration"))).fetchAll(db).map(\.value) }
    }

    /// Every enrollment the service remembers.
    public func enrollments() throws -> [EnrollmentRecord] {
        try read { db in try Stored<EnrollmentRecord>.fetchAll(db).map(\.value) }
    }

    public func recordEnrollment(_ record: EnrollmentRecord) throws {
        try write { db in try Stored(record).save(db) }
    }

    /// Forgets one registration's MDM enrollment (the device deleted from MDM). Returns whether there was one.
    public func deleteEnrollment(of registration: String) throws -> Bool {
        try write { db in try Stored<EnrollmentRecord>.deleteOne(db, key: registration) }
    }

    /// Forgets every MDM enrollment (a lab starting over with factory-fresh devices).
    public func clearEnrollments() throws {
        _ = try write { db in try Stored<EnrollmentRecord>.deleteAll(db) }
    }

    /// Lets a self-deploying or pre-provisioned device enroll once more.
    @discardableResult
    public func allowReenrollment(of registration: String) throws -> Bool {
        try write { db in
            try Stored<EnrollmentRecord>.filter(key: registration).updateAll(db, Column("reenrollmentAllowed").set(to: true)) > 0
        }
    }
}
