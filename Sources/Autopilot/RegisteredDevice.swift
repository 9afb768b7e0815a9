public import Foundation

/// A device registered with the Autopilot service, in the shape of Graph's
/// `windowsAutopilotDeviceIdentity`.
public struct RegisteredDevice: Codable, Equatable, Sendable {
    /// The ZTDId: the registration's id, also `[ZTDId]:…` among the device's physical ids.
    public var id: String
    /// The tenant the device is registered to.
    public var tenantID: UUID
    public var serialNumber: String
    /// The Windows Product ID column of the CSV (usually empty).
    public var productKey: String
    /// Padded base64, or nil for a tuple registration (serial + manufacturer + model).
    public var hardwareHash: String?
    public var manufacturer: String?
    public var model: String?
    /// `[OrderID]`.
    public var groupTag: String?
    /// `[PurchaseOrderId]`.
    public var purchaseOrderIdentifier: String?
    public var assignedUser: String?
    /// The name the sign-in page greets the assigned user by (Graph's `addressableUserName`).
    public var addressableUserName: String?
    /// The name the device gets at deployment, instead of its profile's name template (Intune's
    /// per-device "Device name").
    public var displayName: String?
    public var registeredAt: Date
    /// Where the registration came from: a CSV file, the lab file, the admin API.
    public var source: String

    public init(id: String, tenantID: UUID, serialNumber: String, productKey: String = "", hardwareHash: String?,
                manufacturer: String? = nil, model: String? = nil, groupTag: String? = nil,
                purchaseOrderIdentifier: String? = nil, assignedUser: String? = nil, addressableUserName: String? = nil,
                displayName: String? = nil, registeredAt: Date, source: String) {
        self.id = id
        self.tenantID = tenantID
        self.serialNumber = serialNumber
        self.productKey = productKey
        self.hardwareHash = hardwareHash
        self.manufacturer = manufacturer
        self.model = model
        self.groupTag = groupTag
        self.purchaseOrderIdentifier = purchaseOrderIdentifier
        self.assignedUser = assignedUser
        self.addressableUserName = addressableUserName
        self.displayName = displayName
        self.registeredAt = registeredAt
        self.source = source
    }

    /// Intune fills manufacturer and model from the hash when the import does not give them.
    public mutating func fillMakeAndModel(from hash: HardwareHash) {
        manufacturer = manufacturer ?? hash.manufacturer
        model = model ?? hash.product
    }

    /// The physical ids Entra gives an Autopilot device, which dynamic group rules test.
    public var physicalIds: [String] {
        var ids = ["[ZTDId]:\(id)"]
        if let groupTag, !groupTag.isEmpty { ids.append("[OrderID]:\(groupTag)") }
        if let purchaseOrderIdentifier, !purchaseOrderIdentifier.isEmpty {
            ids.append("[PurchaseOrderId]:\(purchaseOrderIdentifier)")
        }
        return ids
    }
}
