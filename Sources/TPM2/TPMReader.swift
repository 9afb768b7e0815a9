/// Unmarshals TPM 2.0 values from bytes a TPM (or anyone) sent, never trusting a size: every
/// read checks what is left and throws ``TPMError/malformed(_:_:)`` naming what was read.
///
/// ```swift
/// var reader = TPMReader([0x00, 0x02, 0xAB, 0xCD], context: "TPM2B_DIGEST")
/// let digest = try reader.readSized()   // [0xAB, 0xCD]
/// try reader.expectEnd()
/// ```
public struct TPMReader: Sendable {
    public let bytes: [UInt8]
    /// What is being read, for errors: "TPM2_NV_Read response", "TPMT_PUBLIC".
    public let context: String
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.context = context
        self.offset = 0
    }

    public var remaining: Int { bytes.count - offset }

    public mutating func readUInt8() throws -> UInt8 { try read(count: 1, "a UInt8")[0] }

    public mutating func readUInt16() throws -> UInt16 {
        let b = try read(count: 2, "a UInt16")
        return UInt16(b[0]) << 8 | UInt16(b[1])
    }

    public mutating func readUInt32() throws -> UInt32 {
        let b = try read(count: 4, "a UInt32")
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    public mutating func readAlgorithm() throws -> TPMAlgorithm { TPMAlgorithm(rawValue: try readUInt16()) }

    /// The contents of a `TPM2B` (its 16-bit size, then that many bytes).
    public mutating func readSized() throws -> [UInt8] {
        let count = Int(try readUInt16())
        return try read(count: count, "a TPM2B of \(count) bytes")
    }

    /// `count` bytes as they are.
    public mutating func read(count: Int, _ what: String = "bytes") throws -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw TPMError.malformed(context, "\(what) at offset \(offset) needs \(count) bytes, \(remaining) left")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Fails when bytes are left over: a structure longer than its parts is as wrong as a short one.
    public func expectEnd() throws {
        guard remaining == 0 else { throw TPMError.malformed(context, "\(remaining) bytes left over at offset \(offset)") }
    }
}
