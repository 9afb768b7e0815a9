public import Foundation
public import DeviceIdentity

/// An Autopilot hardware hash (the "4K hash" of a hardware-hash CSV), decoded.
///
/// Layout (little-endian): `OA`, a u16 giving the end of the record area, then records of
/// `type u8, 0, length u16 (including these 4 bytes), value`, then at that end the trailer
/// `CS$\0` + SHA-256 of every byte before it, then zero padding (3,000 bytes in all,
/// 4,000 base64 characters). Strings are ASCII with a trailing NUL.
public struct HardwareHash: Sendable, Equatable, Encodable {
    // SMBIOS
    public var serial: String?
    public var manufacturer: String?
    public var product: String?
    public var sku: String?
    public var family: String?
    public var systemVersion: String?
    public var uuid: UUID?
    public var boardProduct: String?
    public var boardVersion: String?
    public var firmwareVendor: String?
    /// SMBIOS chassis type (record 10) and Windows' power platform role.
    public var chassisType: Int?
    public var powerPlatformRole: Int?
    // Network
    public var macAddresses: [MACAddress] = []
    // Storage
    public var diskSerial: String?
    public var diskModel: String?
    public var diskCapacityGB: Int?
    // TPM
    /// From record 13, e.g. `2.0`.
    public var tpmVersion: String?
    /// From record 13, e.g. `IFX`.
    public var tpmVendor: String?
    /// Whether an endorsement-key public key is present (record 25).
    public var hasEndorsementKey: Bool = false
    /// The SHA-256 of record 25's EK public key (the RSA modulus), hex: the same key's digest a
    /// TPM attestation names.
    public var endorsementKeyDigest: String?
    /// The offline device id digest (record 11), hex.
    public var offlineDeviceID: String?
    // Software
    public var productKeyID: String?
    public var toolBuild: String?
    public var osBuild: String?
    // Processor and memory
    public var cpuManufacturer: String?
    public var cpuModel: String?
    public var cpuCores: Int?
    public var cpuThreads: Int?
    public var ramGB: Int?
    public var gpuName: String?
    /// Every record in order, with its type, position and raw value (unknown types included).
    public var records: [Record] = []
    /// Whether the trailer's SHA-256 matches the record area.
    public var checksumValid: Bool = false

    /// One record as found in the hash.
    public struct Record: Sendable, Equatable, Encodable {
        public let type: Int
        /// Byte offset of the record's header.
        public let offset: Int
        /// The value bytes, base64 in JSON.
        public let value: [UInt8]

        public var name: String { HardwareHash.recordNames[type] ?? "unknown" }

        enum CodingKeys: String, CodingKey { case type, name, offset, value }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(name, forKey: .name)
            try container.encode(offset, forKey: .offset)
            try container.encode(Base64.encode(value), forKey: .value)
        }
    }

    /// Record type names, from public reverse-engineering of the hash.
    public static let recordNames: [Int: String] = [
        1: "versions", 2: "processor", 3: "cpu-manufacturer", 4: "cpu-model", 5: "memory", 6: "disk",
        7: "disk-serial", 8: "network-adapter", 9: "display", 10: "chassis", 11: "offline-device-id",
        12: "smbios-uuid", 13: "tpm-version", 14: "smbios-serial", 15: "firmware-vendor", 16: "manufacturer",
        17: "product-name", 18: "sku", 19: "family", 20: "firmware-vendor-2", 21: "board-product",
        22: "board-version", 23: "system-version", 24: "product-key-id", 25: "tpm-ek-public-key",
        26: "product-key-part-number", 27: "reserved", 28: "disk-serial-kernel", 29: "gpu-memory", 30: "gpu-name",
    ]

    /// The trailer's marker.
    static let trailerMarker: [UInt8] = [0x43, 0x53, 0x24, 0x00]  // "CS$\0"

    /// Decodes a hash from base64 (padded or not, as devices and CSV files write it).
    ///
    /// - Throws: ``HardwareHashError`` naming the byte, the record and its type.
    public init(base64 text: String) throws(HardwareHashError) {
        let bytes: [UInt8]
        do {
            // Trimming a 4,000-character hash through Foundation costs more than decoding it:
            // only text that starts or ends with something else than base64 is trimmed.
            let first = text.utf8.first.map(Base64.isAlphabet) ?? true
            let last = text.utf8.last.map { Base64.isAlphabet($0) || $0 == UInt8(ascii: "=") } ?? true
            let plain = first && last
            bytes = try Base64.decode(plain ? text : text.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw HardwareHashError(offset: nil, record: nil, type: nil, message: "not base64: \(error)")
        }
        try self.init(bytes: bytes)
    }

    /// Decodes a hash from its bytes.
    public init(bytes: [UInt8]) throws(HardwareHashError) {
        guard bytes.count >= 4 else {
            throw HardwareHashError(offset: bytes.count, record: nil, type: nil,
                                    message: "truncated: \(bytes.count) bytes, shorter than the 4-byte header")
        }
        guard bytes[0] == 0x4F, bytes[1] == 0x41 else {
            throw HardwareHashError(offset: 0, record: nil, type: nil,
                                    message: String(format: "the header is 0x%02X 0x%02X, not 'OA'", bytes[0], bytes[1]))
        }
        let end = Int(bytes[2]) | Int(bytes[3]) << 8
        guard end >= 4 else {
            throw HardwareHashError(offset: 2, record: nil, type: nil, message: "the record area length \(end) is shorter than the header")
        }
        var offset = 4
        var index = 0
        while offset < end {
            index += 1
            guard offset + 4 <= bytes.count else {
                throw HardwareHashError(offset: offset, record: index, type: offset < bytes.count ? Int(bytes[offset]) : nil,
                                        message: "truncated: the header says records end at byte \(end), but the hash has \(bytes.count) bytes",
                                        partial: self)
            }
            let type = Int(bytes[offset])
            let length = Int(bytes[offset + 2]) | Int(bytes[offset + 3]) << 8
            guard length >= 4 else {
                throw HardwareHashError(offset: offset, record: index, type: type,
                                        message: "corrupt: record length \(length) is shorter than its 4-byte header", partial: self)
            }
            guard offset + length <= end else {
                throw HardwareHashError(offset: offset, record: index, type: type,
                                        message: "corrupt: the record's \(length) bytes run past the end of the record area (byte \(end))", partial: self)
            }
            guard offset + length <= bytes.count else {
                throw HardwareHashError(offset: offset, record: index, type: type,
                                        message: "truncated: the record's \(length) bytes run past the end of the hash (\(bytes.count) bytes)", partial: self)
            }
            let record = Record(type: type, offset: offset, value: Array(bytes[(offset + 4)..<(offset + length)]))
            records.append(record)
            apply(record)
            offset += length
        }
        guard end + 36 <= bytes.count else {
            throw HardwareHashError(offset: end, record: nil, type: nil,
                                    message: "truncated: the CS$ trailer at byte \(end) needs 36 bytes, the hash has \(bytes.count - end)", partial: self)
        }
        guard Array(bytes[end..<(end + 4)]) == Self.trailerMarker else {
            throw HardwareHashError(offset: end, record: nil, type: nil, message: "corrupt: no CS$ trailer at byte \(end)", partial: self)
        }
        let expected = SHA256.hash(bytes[0..<end])
        checksumValid = Array(bytes[(end + 4)..<(end + 36)]) == expected
        guard checksumValid else {
            throw HardwareHashError(offset: end + 4, record: nil, type: nil,
                                    message: "checksum mismatch: the trailer's SHA-256 does not match bytes 0-\(end - 1)",
                                    partial: self)
        }
        if let extra = bytes[(end + 36)...].firstIndex(where: { $0 != 0 }) {
            throw HardwareHashError(offset: extra, record: nil, type: nil, message: "corrupt: non-zero byte after the trailer")
        }
    }

    /// Fills the typed field a record carries.
    private mutating func apply(_ record: Record) {
        let value = record.value
        switch record.type {
        case 1 where value.count >= 16:
            toolBuild = Self.version(value, at: 0)
            osBuild = Self.version(value, at: 8)
        case 2 where value.count >= 8:
            cpuCores = Self.u16(value, 4)
            cpuThreads = Self.u16(value, 6)
        case 3: cpuManufacturer = Self.string(value)
        case 4: cpuModel = Self.string(value)
        case 5 where value.count >= 8: ramGB = Int(exactly: Self.u64(value, 0))  // nil past Int.max (a corrupt record)
        case 6 where value.count >= 4: diskCapacityGB = Int(Self.u32(value, 0))
        case 7:
            let parts = Self.string(value).split(separator: "|", omittingEmptySubsequences: false)
            diskSerial = parts.first.map { $0.trimmingCharacters(in: .whitespaces) }
            diskModel = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : nil
        case 8 where value.count >= 10:
            if let mac = MACAddress(bytes: Array(value[4..<10])) { macAddresses.append(mac) }
        case 10 where value.count >= 2:
            chassisType = Int(value[0])
            powerPlatformRole = Int(value[1])
        case 11 where value.count >= 10:
            offlineDeviceID = value[10...].map { String(format: "%02x", $0) }.joined()
        case 12 where value.count == 16:
            uuid = Self.guid(value)
        case 12:
            uuid = UUID(uuidString: Self.string(value))
        case 13:
            let text = Self.string(value)
            tpmVersion = Self.field(text, "TPM-Version:", until: " ")
            tpmVendor = Self.field(text, "VendorID:'", until: "'").map { $0.trimmingCharacters(in: .whitespaces) }
        case 14: serial = Self.string(value)
        case 15: firmwareVendor = Self.string(value)
        case 16: manufacturer = Self.string(value)
        case 17: product = Self.string(value)
        case 18: sku = Self.string(value)
        case 19: family = Self.string(value)
        case 21: boardProduct = Self.string(value)
        case 22: boardVersion = Self.string(value)
        case 23: systemVersion = Self.string(value)
        case 24: productKeyID = Self.string(value)
        case 25:
            hasEndorsementKey = !value.isEmpty
            endorsementKeyDigest = value.isEmpty ? nil : SHA256.hash(value).map { String(format: "%02x", $0) }.joined()
        case 30: gpuName = Self.utf16String(value)
        default: break
        }
    }

    // MARK: Reading values

    static func string(_ value: [UInt8]) -> String {
        let text = value.prefix { $0 != 0 }
        return String(decoding: text, as: UTF8.self)
    }

    static func utf16String(_ value: [UInt8]) -> String {
        var units: [UInt16] = []
        var index = 0
        while index + 1 < value.count {
            let unit = UInt16(value[index]) | UInt16(value[index + 1]) << 8
            if unit == 0 { break }
            units.append(unit)
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    static func u16(_ value: [UInt8], _ at: Int) -> Int { Int(value[at]) | Int(value[at + 1]) << 8 }
    static func u32(_ value: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(value[at + $1]) << UInt32(8 * $1) }
    }
    static func u64(_ value: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(value[at + $1]) << UInt64(8 * $1) }
    }

    /// Four u16 in the order minor, major, revision, build, shown as major.minor.build.revision.
    static func version(_ value: [UInt8], at: Int) -> String {
        "\(u16(value, at + 2)).\(u16(value, at)).\(u16(value, at + 6)).\(u16(value, at + 4))"
    }

    /// A GUID in Windows' byte order: the first three fields little-endian.
    static func guid(_ b: [UInt8]) -> UUID {
        UUID(uuid: (b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    static func field(_ text: String, _ prefix: String, until terminator: Character) -> String? {
        guard let start = text.range(of: prefix)?.upperBound else { return nil }
        return String(text[start...].prefix { $0 != terminator })
    }
}

/// A hardware hash that cannot be decoded: where (byte, record number, record type) and what.
public struct HardwareHashError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 0-based byte offset.
    public let offset: Int?
    /// 1-based record number.
    public let record: Int?
    public let type: Int?
    public let message: String
    /// What was decoded before the problem (for a truncated field hash, the records before the cut).
    public var partial: HardwareHash?

    public init(offset: Int?, record: Int?, type: Int?, message: String, partial: HardwareHash? = nil) {
        self.offset = offset
        self.record = record
        self.type = type
        self.message = message
        self.partial = partial
    }

    public var description: String {
        var location: [String] = []
        if let offset { location.append("byte \(offset)") }
        if let record { location.append("record \(record)" + (type.map { " (type \($0))" } ?? "")) }
        return location.isEmpty ? message : location.joined(separator: ", ") + ": " + message
    }
}

/// The check a CSV import applies to a Hardware Hash cell.
enum HardwareHashCheck {
    static func problem(_ text: String, requirePadding: Bool) -> String? {
        guard !requirePadding || Base64Padding.isPadded(text) else {
            return "the hash is not padded base64; Intune refuses it (400: Cannot convert the literal to the expected type "
                + "'Edm.Binary'). Add '=' padding (pxelab does so on export)"
        }
        do {
            _ = try HardwareHash(base64: text)
            return nil
        } catch {
            return "the hardware hash is not valid: \(error)"
        }
    }
}
