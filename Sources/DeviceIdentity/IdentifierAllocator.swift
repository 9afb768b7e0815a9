public import Foundation

/// Derives a lab's MAC addresses, UUIDs and board serials deterministically from the lab name and
/// each device's name, so that the same lab file always produces the same identities, and keeps
/// them unique across the lab.
///
/// Each value is the SHA-256 of a label, the lab name and the device name; on the (rare)
/// collision with a value already in use, an attempt counter is added and the digest retaken.
/// Reserve explicitly configured values first so derived values never take them.
public struct IdentifierAllocator: Sendable {
    /// The lab the identifiers belong to.
    public let lab: String
    private var macs: Set<MACAddress> = []
    private var uuids: Set<UUID> = []

    public init(lab: String) { self.lab = lab }

    /// Marks an explicitly configured MAC as taken. Returns false when it already was.
    @discardableResult
    public mutating func reserve(_ mac: MACAddress) -> Bool { macs.insert(mac).inserted }

    /// Marks an explicitly configured UUID as taken. Returns false when it already was.
    @discardableResult
    public mutating func reserve(_ uuid: UUID) -> Bool { uuids.insert(uuid).inserted }

    /// A unique, locally administered `52:54:00:xx:xx:xx` MAC address for the device.
    public mutating func mac(for device: String) -> MACAddress {
        for attempt in 0... {
            let digest = digest("mac", device, attempt)
            let mac = MACAddress(bytes: MACAddress.qemuPrefix + digest.prefix(3))!
            if macs.insert(mac).inserted { return mac }
        }
        fatalError("unreachable")
    }

    /// A unique RFC 9562 version-8 (name-derived) UUID for the device.
    public mutating func uuid(for device: String) -> UUID {
        for attempt in 0... {
            let uuid = Self.uuid(from: digest("uuid", device, attempt))
            if uuids.insert(uuid).inserted { return uuid }
        }
        fatalError("unreachable")
    }

    /// A stable RFC 9562 version-8 UUID for any named object of a lab (a profile, a group...).
    public static func stableUUID(_ components: String...) -> UUID {
        uuid(from: SHA256.hash("pxelab/" + components.joined(separator: "\u{0}")))
    }

    private static func uuid(from digest: [UInt8]) -> UUID {
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// A stable, vendor-looking baseboard serial such as `PBA1B2C3D4E5F6`.
    public func boardSerial(for device: String) -> String {
        "PB" + digest("board-serial", device, 0).prefix(6).map(\.hexUpper).joined()
    }

    private func digest(_ label: String, _ device: String, _ attempt: Int) -> [UInt8] {
        SHA256.hash("pxelab/\(label)\u{0}\(lab)\u{0}\(device)\u{0}\(attempt)")
    }
}

extension UInt8 {
    /// Two upper-case hexadecimal digits.
    var hexUpper: String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(self >> 4)], digits[Int(self & 0x0F)]])
    }
}
