/// A 48-bit Ethernet MAC address.
public struct MACAddress: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The six bytes, most significant first.
    public let bytes: [UInt8]

    /// The locally administered prefix QEMU and libvirt use for virtual NICs.
    public static let qemuPrefix: [UInt8] = [0x52, 0x54, 0x00]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// Parses `52:54:00:12:34:56`, `52-54-00-12-34-56` (iPXE's `hexhyp`) or `525400123456`.
    public init?(_ text: String) {
        let characters = Array(text)
        let digits: [Character]
        switch characters.count {
        case 12:
            digits = characters
        case 17:
            let separator = characters[2]
            guard separator == ":" || separator == "-",
                  stride(from: 2, to: 17, by: 3).allSatisfy({ characters[$0] == separator }) else { return nil }
            digits = characters.enumerated().filter { ($0.offset + 1) % 3 != 0 }.map(\.element)
        default:
            return nil
        }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 12, by: 2) {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }

    /// Lower-case, colon-separated, as libvirt writes it.
    public var description: String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    /// Whether the first three bytes are QEMU's `52:54:00`.
    public var hasQEMUPrefix: Bool { Array(bytes.prefix(3)) == Self.qemuPrefix }

    /// A multicast address cannot be given to a NIC.
    public var isMulticast: Bool { bytes[0] & 1 == 1 }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = MACAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(text)' is not a MAC address"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
