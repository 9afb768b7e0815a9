public import Foundation

/// Turns CSV rows into registrations, with Intune's checks against what is already registered.
public enum Registration {
    /// New registrations for rows of one CSV file, or every reason the file cannot be imported.
    ///
    /// A serial already registered to this tenant, or to another tenant, is an error for its row;
    /// one bad row means nothing is registered (the import is atomic).
    public static func register(_ rows: [CSVDevice], source: String, tenant: UUID, existing: [RegisteredDevice],
                                at now: Date, makeID: () -> String) throws(CSVImportError) -> [RegisteredDevice] {
        let bySerial = Dictionary(existing.map { ($0.serialNumber, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [CSVProblem] = []
        for row in rows {
            guard let registered = bySerial[row.serialNumber] else { continue }
            let message = registered.tenantID == tenant
                ? "serial '\(row.serialNumber)' is already registered (ZTDId \(registered.id), from \(registered.source))"
                : "serial '\(row.serialNumber)' is registered to another tenant (\(registered.tenantID.uuidString.lowercased())): "
                    + "ZtdDeviceAssignedToOtherTenant; it must be deregistered there first"
            problems.append(CSVProblem(line: row.line, column: "Device Serial Number", message: message))
        }
        guard problems.isEmpty else { throw CSVImportError(source: source, problems: problems) }
        return rows.map { row in
            RegisteredDevice(id: makeID(), tenantID: tenant, serialNumber: row.serialNumber,
                             productKey: row.windowsProductID, hardwareHash: row.hardwareHash.map(Base64Padding.padded),
                             manufacturer: row.manufacturer, model: row.model, groupTag: row.groupTag,
                             assignedUser: row.assignedUser, registeredAt: now, source: source)
        }
    }
}
