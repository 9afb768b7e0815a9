import Foundation
public import DeviceIdentity

/// The hardware a lab device reports in its hardware hash.
public struct HashedHardware: Sendable, Equatable {
    public var identity: DeviceIdentity
    public var tpm: TPMVersion
    public var ramGB: Int
    public var diskGB: Int
    public var cpuCores: Int
    public var cpuManufacturer: String
    public var cpuModel: String
    /// The TPM's EK public key (the RSA modulus, big-endian) as the device read it from its TPM;
    /// nil: one made from the identity (a virtual device's).
    public var endorsementKey: [UInt8]?
    /// The system disk as the device reads it: serial (empty: none) and model; nil: made from the identity.
    public var disk: Disk?
    /// Which collection this is: a reset collects the hash again, and each collection differs
    /// (in the versions record) while the identity stays the same, as on real hardware.
    public var collection: Int

    public init(identity: DeviceIdentity, tpm: TPMVersion, ramGB: Int = 16, diskGB: Int = 512, cpuCores: Int = 4,
                cpuManufacturer: String = "GenuineIntel", cpuModel: String = "12th Gen Intel(R) Core(TM) i7-1265U",
                endorsementKey: [UInt8]? = nil, disk: Disk? = nil, collection: Int = 0) {
        self.identity = identity
        self.tpm = tpm
        self.ramGB = ramGB
        self.diskGB = diskGB
        self.cpuCores = cpuCores
        self.cpuManufacturer = cpuManufacturer
        self.cpuModel = cpuModel
        self.endorsementKey = endorsementKey
        self.disk = disk
        self.collection = collection
    }

    /// A disk as the device reads it.
    public struct Disk: Sendable, Equatable {
        /// Empty when the disk reports none.
        public var serial: String
        public var model: String

        public init(serial: String, model: String) {
            self.serial = serial
            self.model = model
        }
    }

    /// A device's TPM.
    public enum TPMVersion: String, Sendable, Equatable, CaseIterable {
        case none, v1_2 = "1.2", v2_0 = "2.0"
    }
}

/// Builds a structurally real hardware hash for a lab device: the record types, encodings and
/// order of real hashes, a valid `CS$` trailer, 3,000 bytes, 4,000 padded base64 characters.
public enum HardwareHashEncoder {
    /// Real hashes are 3,000 bytes once padded.
    public static let paddedSize = 3000

    /// The hash, as padded base64.
    public static func encode(_ hardware: HashedHardware) -> String {
        Base64.encode(bytes(hardware))
    }

    static func bytes(_ hardware: HashedHardware) -> [UInt8] {
        let identity = hardware.identity
        let seed = "\(identity.uuid.uuidString)|\(identity.serial)"
        var records = RecordWriter()
        // 1: tool and OS build (10.0.22621.1 / 10.0.22631.4460), the collection, FullOS, x64, tool version 8.
        records.binary(1, le16(0) + le16(10) + le16(1) + le16(22621) + le16(0) + le16(10) + le16(4460) + le16(22631)
                        + le32(UInt32(truncatingIfNeeded: hardware.collection)) + [0, 2, 9, 8])
        // 2: processor: x64, 1 package, cores, threads, hyper-threading.
        records.binary(2, le16(9) + le16(1) + le16(hardware.cpuCores) + le16(hardware.cpuCores * 2) + le16(1) + [0, 0])
        // 5: memory in GB, maximum capacity, slots, arrays, no error correction.
        records.binary(5, le64(UInt64(hardware.ramGB)) + le64(64) + le16(2) + le16(1) + [3])
        records.string(3, hardware.cpuManufacturer)
        records.string(4, hardware.cpuModel)
        // 6: disk capacity in decimal GB, NVMe bus, SSD.
        let diskSerial = hardware.disk.map(\.serial).flatMap { $0.isEmpty ? nil : $0 }
            ?? "PXL" + digest(seed, "disk").prefix(8).map(\.hex).joined().uppercased()
        records.binary(6, le32(UInt32(Double(hardware.diskGB) * 1.073741824)) + [0, 0, 0, 0, 17, 0, 0, 1])
        records.raw(7, Array("\(diskSerial)|\(hardware.disk?.model ?? "PXELAB NVMe Disk")|NVMe".utf8))
        // 8: the NIC: Ethernet, its MAC in wire order, then the bus name in UTF-16LE.
        records.binary(8, le32(14) + identity.mac.bytes + le32(0x0C) + utf16("PCI"))
        // 9: display, 344 x 194 mm at 1920 x 1080.
        records.binary(9, le16(344) + le16(194) + le16(1920) + le16(1080) + [0xFF, 0xFF, 0xFF, 0xFF])
        records.binary(27, [0, 0, 0, 0])
        records.binary(10, [UInt8(identity.chassis.type.rawValue), powerRole(identity.chassis.type), 1, 0, 0])
        let endorsementKey = hardware.tpm == .none ? [] : hardware.endorsementKey ?? (0..<8).flatMap { digest(seed, "ek-\($0)") }
        switch hardware.tpm {
        case .v2_0: records.string(13, "TPM-Version:2.0 -Level:0-Revision:1.38-VendorID:'IFX '-Firmware:7.85.4555.0")
        case .v1_2: records.string(13, "TPM-Version:1.2 -Level:2-Revision:116-VendorID:'IFX '-Firmware:4.43")
        case .none: break
        }
        if !endorsementKey.isEmpty { records.binary(25, endorsementKey) }
        // 11: offline device id: from the TPM EK when there is one, else a UEFI variable.
        let idSource: UInt8 = endorsementKey.isEmpty ? 2 : 1
        let idDigest = endorsementKey.isEmpty ? digest(seed, "uefi-id") : SHA256.hash(endorsementKey)
        records.binary(11, [0, 0, 0, 0, idSource, 0] + le16(32) + [0, 0] + idDigest)
        records.binary(12, guidBytes(identity.uuid))
        records.string(14, identity.serial)
        records.string(15, identity.manufacturer)
        records.string(16, identity.manufacturer)
        records.string(17, identity.product)
        if let sku = identity.sku { records.string(18, sku) }
        if let family = identity.family { records.string(19, family) }
        records.string(21, identity.board.product)
        if let version = identity.board.version { records.string(22, version) }
        if let version = identity.version { records.string(23, version) }
        let productKeyID = digest(seed, "product-key").prefix(13).map { String($0 % 10) }.joined()
        records.string(24, productKeyID)
        records.string(28, diskSerial)
        records.binary(29, le32(128 << 20) + le32(0))
        records.binary(30, utf16("Intel(R) Iris(R) Xe Graphics"))

        var bytes: [UInt8] = [0x4F, 0x41] + le16(4 + records.bytes.count) + records.bytes
        bytes += HardwareHash.trailerMarker + SHA256.hash(bytes)
        bytes += [UInt8](repeating: 0, count: max(0, paddedSize - bytes.count))
        return bytes
    }

    private static func powerRole(_ chassis: ChassisType) -> UInt8 {
        switch chassis {
        case .laptop, .notebook, .portable, .subNotebook, .handheld: 2
        case .tablet, .convertible, .detachable: 8
        default: 1
        }
    }

    private static func digest(_ seed: String, _ label: String) -> [UInt8] { SHA256.hash("\(seed)|\(label)") }

    /// A GUID in Windows' byte order (first three fields little-endian).
    private static func guidBytes(_ uuid: UUID) -> [UInt8] {
        let b = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        return [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]] + b[8...]
    }

    private static func utf16(_ text: String) -> [UInt8] {
        (text.utf16 + [0]).flatMap { [UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)] }
    }
    private static func le16(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }
    private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> UInt32(8 * $0)) } }
    private static func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) } }

    /// Appends records with their 4-byte headers.
    private struct RecordWriter {
        var bytes: [UInt8] = []

        mutating func raw(_ type: UInt8, _ value: [UInt8]) {
            bytes += [type, 0] + le16(value.count + 4) + value
        }
        mutating func binary(_ type: UInt8, _ value: [UInt8]) { raw(type, value) }
        /// ASCII with a trailing NUL.
        mutating func string(_ type: UInt8, _ text: String) { raw(type, Array(text.utf8) + [0]) }
    }
}

private extension UInt8 {
    var hex: String { String(self, radix: 16).count == 1 ? "0" + String(self, radix: 16) : String(self, radix: 16) }
}
