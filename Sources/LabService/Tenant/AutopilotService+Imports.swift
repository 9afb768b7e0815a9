import Foundation
public import Autopilot
import Synchronization

/// Device identities uploaded for import (Graph's `importedWindowsAutopilotDeviceIdentities`):
/// stored as `unknown`, processed once the tenant's import delay has passed, when anyone next
/// looks (the service's answer is the same whenever it is asked), by the rules of a CSV import.
extension AutopilotService {
    /// One identity as a client uploads it.
    public struct IdentityUpload: Sendable, Equatable {
        public var serialNumber: String
        public var productKey: String
        /// Padded base64.
        public var hardwareIdentifier: String
        public var groupTag: String
        public var assignedUserPrincipalName: String
        /// The upload it belongs to; a new id when nil.
        public var importId: String?

        public init(serialNumber: String, productKey: String = "", hardwareIdentifier: String, groupTag: String = "",
                    assignedUserPrincipalName: String = "", importId: String? = nil) {
            self.serialNumber = serialNumber
            self.productKey = productKey
            self.hardwareIdentifier = hardwareIdentifier
            self.groupTag = groupTag
            self.assignedUserPrincipalName = assignedUserPrincipalName
            self.importId = importId
        }
    }

    /// Stores an upload (at most ``ImportProcessing/maximumRows``), every identity `unknown`.
    /// Identities sent without an import id share one, the first identity's id.
    public func upload(_ rows: [IdentityUpload]) throws -> [ImportedDeviceIdentity] {
        guard rows.count <= ImportProcessing.maximumRows else {
            throw LabError.tooManyIdentities(rows.count, maximum: ImportProcessing.maximumRows)
        }
        let now = clock()
        let processAt = now.addingTimeInterval(configuration.importDelaySeconds)
        var shared: String?
        let identities = rows.map { row in
            let id = UUID().uuidString.lowercased()
            if shared == nil { shared = id }
            return ImportedDeviceIdentity(id: id, importId: row.importId ?? shared ?? id, serialNumber: row.serialNumber,
                                          productKey: row.productKey.isEmpty ? id : row.productKey,
                                          hardwareIdentifier: row.hardwareIdentifier, groupTag: row.groupTag,
                                          assignedUserPrincipalName: row.assignedUserPrincipalName, uploadedAt: now, processAt: processAt)
        }
        try store.addImports(identities)
        uploadMarks.add(1, ordering: .releasing)
        return identities
    }

    /// Every uploaded identity, those due processed first.
    public func importedIdentities() throws -> [ImportedDeviceIdentity] {
        try processDueImports()
        return try store.importedIdentities()
    }

    /// An uploaded identity, processed first if it is due.
    public func importedIdentity(id: String) throws -> ImportedDeviceIdentity? {
        try processDueImports()
        return try store.importedIdentity(id: id)
    }

    /// Deletes an uploaded identity; the registration made from it stays. Returns whether there was one.
    @discardableResult
    public func deleteImportedIdentity(id: String) throws -> Bool {
        try store.deleteImport(id: id)
    }

    /// Processes the uploaded identities whose import delay has passed (one transaction). Costs
    /// nothing once no upload waits.
    public func processDueImports() throws {
        let marks = uploadMarks.load(ordering: .acquiring)
        guard marks > 0 else { return }
        let (tenant, now) = (tenant.id, clock())
        let added = try store.processImports(at: now) { due, uploads, registrations in
            ImportProcessing.process(due, uploads: uploads, existing: registrations, tenant: tenant, at: now,
                                     makeID: { UUID().uuidString.lowercased() })
        }
        if added > 0 { changed() }
        // Cleared only if no upload came meanwhile (it would have added a mark).
        if try !store.hasUnprocessedImports() {
            _ = uploadMarks.compareExchange(expected: marks, desired: 0, ordering: .acquiringAndReleasing)
        }
    }
}
