import LabStore
import DeviceIdentity

/// Matches a booting device to a lab device by, in order, its MAC, its SMBIOS UUID, and its
/// serial with manufacturer and product. Two lab devices claiming the matched identity are a
/// conflict, never a silent pick.
struct DeviceMatcher: Sendable {
    private let byMAC: [String: [LabDeviceRecord]]
    private let byUUID: [String: [LabDeviceRecord]]
    private let bySerial: [String: [LabDeviceRecord]]
    /// By serial alone, whatever the manufacturer and product.
    private let bySerialOnly: [String: [LabDeviceRecord]]

    init(devices: [LabDeviceRecord]) {
        byMAC = Dictionary(grouping: devices, by: \.mac)
        byUUID = Dictionary(grouping: devices, by: \.uuid)
        bySerial = Dictionary(grouping: devices) { Self.serialKey($0.serial, $0.manufacturer, $0.product) }
        bySerialOnly = Dictionary(grouping: devices, by: \.serial)
    }

    enum Match {
        case device(LabDeviceRecord)
        /// Several lab devices claim the identity the request carried.
        case conflict(identity: String, devices: [LabDeviceRecord])
        case unknown
    }

    func match(mac: String?, uuid: String?, serial: String?, manufacturer: String?, product: String?) -> Match {
        if let mac = mac.flatMap(MACAddress.init)?.description, let found = byMAC[mac] {
            return resolve(found, identity: "MAC \(mac)")
        }
        if let uuid = uuid?.lowercased(), !uuid.isEmpty, let found = byUUID[uuid] {
            return resolve(found, identity: "UUID \(uuid)")
        }
        if let serial, let found = bySerial[Self.serialKey(serial, manufacturer ?? "", product ?? "")] {
            return resolve(found, identity: "serial \(serial)")
        }
        return .unknown
    }

    /// Devices with this serial (for the profile route, which only has the serial).
    func devices(serial: String) -> [LabDeviceRecord] {
        bySerialOnly[serial] ?? []
    }

    private func resolve(_ devices: [LabDeviceRecord], identity: String) -> Match {
        devices.count == 1 ? .device(devices[0]) : .conflict(identity: identity, devices: devices)
    }

    private static func serialKey(_ serial: String, _ manufacturer: String, _ product: String) -> String {
        "\(serial)\u{0}\(manufacturer.lowercased())\u{0}\(product.lowercased())"
    }
}
