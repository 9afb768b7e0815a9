public import Foundation

/// A device identity uploaded for import (Graph's `importedWindowsAutopilotDeviceIdentity`):
/// what the client sent, and how its processing went. Processing is asynchronous as in Intune:
/// `unknown` from the upload until the service's import delay has passed, then `complete` with
/// the new registration's id, or `error` with Intune's code and name.
public struct ImportedDeviceIdentity: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case unknown, pending, partial, complete, error
    }

    public var id: String
    /// The upload it came with (rows of one upload are checked against each other).
    public var importId: String
    public var serialNumber: String
    public var productKey: String
    /// Padded base64, as sent.
    public var hardwareIdentifier: String
    public var groupTag: String
    public var assignedUserPrincipalName: String
    public var status: Status
    /// The ZTDId of the registration made from it, once `complete`.
    public var registrationId: String
    /// 0 and "None" unless `error`.
    public var errorCode: Int
    public var errorName: String
    public var uploadedAt: Date
    /// When the service looks at it: the upload time plus the import delay.
    public var processAt: Date

    public init(id: String, importId: String, serialNumber: String, productKey: String, hardwareIdentifier: String,
                groupTag: String, assignedUserPrincipalName: String, uploadedAt: Date, processAt: Date) {
        self.id = id
        self.importId = importId
        self.serialNumber = serialNumber
        self.productKey = productKey
        self.hardwareIdentifier = hardwareIdentifier
        self.groupTag = groupTag
        self.assignedUserPrincipalName = assignedUserPrincipalName
        self.status = .unknown
        self.registrationId = ""
        self.errorCode = 0
        self.errorName = "None"
        self.uploadedAt = uploadedAt
        self.processAt = processAt
    }
}

/// Intune's import errors (`deviceErrorCode`, `deviceErrorName`).
public enum ImportFailure: Int, Sendable, CaseIterable {
    case invalidHardwareHash = 802
    case missingSerialNumberAndProductKey = 803
    case alreadyAssigned = 806
    case assignedToOtherTenant = 808
    /// The same hash twice in one upload. Intune's number for it is not documented; the lab
    /// reports it with the name only and code 0.
    case duplicated = 0

    public var name: String {
        switch self {
        case .invalidHardwareHash: "InvalidZtdHardwareHash"
        case .missingSerialNumberAndProductKey: "MissingZtdSerialNumberAndProductKey"
        case .alreadyAssigned: "ZtdDeviceAlreadyAssigned"
        case .assignedToOtherTenant: "ZtdDeviceAssignedToOtherTenant"
        case .duplicated: "ZtdDeviceDuplicated"
        }
    }
}

/// The service's processing of uploaded identities: the rules of a CSV import, row by row (in
/// Graph each row succeeds or fails on its own).
public enum ImportProcessing {
    /// The largest upload Intune takes.
    public static let maximumRows = 500

    /// Processes the identities due (status `unknown`, `processAt` passed): each becomes
    /// `complete` with a new registration, or `error`. `uploads` are every stored identity of the
    /// uploads concerned, for the duplicate check; `existing` the registrations of (at least) the
    /// due serial numbers. Returns the identities changed and the registrations to add.
    public static func process(_ due: [ImportedDeviceIdentity], uploads: [ImportedDeviceIdentity], existing: [RegisteredDevice],
                               tenant: UUID, at now: Date, makeID: () -> String)
        -> (identities: [ImportedDeviceIdentity], registrations: [RegisteredDevice]) {
        var bySerial = Dictionary(existing.map { ($0.serialNumber, $0) }, uniquingKeysWith: { first, _ in first })
        var hashCounts: [String: Int] = [:]
        for upload in uploads where !upload.hardwareIdentifier.isEmpty {
            hashCounts["\(upload.importId)\u{0}\(upload.hardwareIdentifier)", default: 0] += 1
        }
        var changed: [ImportedDeviceIdentity] = []
        var registrations: [RegisteredDevice] = []
        for var identity in due {
            let failure: ImportFailure?
            // Intune takes padded base64 only, as from a CSV.
            let hash = Base64Padding.isPadded(identity.hardwareIdentifier) ? try? HardwareHash(base64: identity.hardwareIdentifier) : nil
            // (A product key the client did not send reads as the identity's id, as in Intune.)
            if identity.serialNumber.isEmpty && (identity.productKey.isEmpty || identity.productKey == identity.id) {
                failure = .missingSerialNumberAndProductKey
            } else if hash == nil {
                failure = .invalidHardwareHash
            } else if hashCounts["\(identity.importId)\u{0}\(identity.hardwareIdentifier)", default: 0] > 1 {
                failure = .duplicated
            } else if let registered = bySerial[identity.serialNumber] {
                failure = registered.tenantID == tenant ? .alreadyAssigned : .assignedToOtherTenant
            } else {
                failure = nil
            }
            if let failure {
                identity.status = .error
                identity.errorCode = failure.rawValue
                identity.errorName = failure.name
            } else if let hash {
                var registration = RegisteredDevice(
                    id: makeID(), tenantID: tenant, serialNumber: identity.serialNumber, productKey: identity.productKey,
                    hardwareHash: identity.hardwareIdentifier, groupTag: identity.groupTag.isEmpty ? nil : identity.groupTag,
                    assignedUser: identity.assignedUserPrincipalName.isEmpty ? nil : identity.assignedUserPrincipalName,
                    registeredAt: now, source: "Graph import \(identity.importId)")
                registration.fillMakeAndModel(from: hash)
                bySerial[identity.serialNumber] = registration
                registrations.append(registration)
                identity.status = .complete
                identity.registrationId = registration.id
            }
            changed.append(identity)
        }
        return (changed, registrations)
    }
}
