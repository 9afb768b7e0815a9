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
    /// (Read over the text's bytes: every boot-script request parses one.)
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8(Self.parse) else { return nil }
        bytes = parsed
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let separated = text.count == 17
        guard separated || text.count == 12 else { return nil }
        let separator = separated ? text[2] : 0
        guard !separated || separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-") else { return nil }
        func nibble(_ character: UInt8) -> UInt8? {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(6)
        var index = 0
        for position in 0..<6 {
            if separated && position > 0 {
                guard text[index] == separator else { return nil }
                index += 1
            }
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// Lower-case, colon-separated, as libvirt writes it.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 17) { buffer in
            for (position, byte) in bytes.enumerated() {
                if position > 0 { buffer[position * 3 - 1] = UInt8(ascii: ":") }
                buffer[position * 3] = digits[Int(byte >> 4)]
                buffer[position * 3 + 1] = digits[Int(byte & 0xF)]
            }
            return 17
        }
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
