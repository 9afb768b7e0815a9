/// Marshals TPM 2.0 values the way the TPM reads them (TPM 2.0 Part 2 §5: big-endian integers,
/// `TPM2B` as a 16-bit size and its bytes).
///
/// ```swift
/// var writer = TPMWriter()
/// writer.write(TPMAlgorithm.sha256)
/// writer.writeSized([0xAB, 0xCD])     // a TPM2B: 00 02 AB CD
/// writer.bytes                        // [0x00, 0x0B, 0x00, 0x02, 0xAB, 0xCD]
/// ```
public struct TPMWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write(_ value: UInt16) {
        bytes += [UInt8(value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public mutating func write(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                  UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public mutating func write(_ algorithm: TPMAlgorithm) { write(algorithm.rawValue) }

    public mutating func write(_ handle: TPMHandle) { write(handle.rawValue) }

    /// Bytes as they are, with no size in front (a `TPMT_PUBLIC` inside a message already sized).
    public mutating func write(raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    /// A `TPM2B`: the bytes' count as 16 bits, then the bytes. A caller never has more than
    /// 64 KiB here (the TPM's own buffers are a few KiB), so the count is checked, not clamped.
    public mutating func writeSized(_ contents: [UInt8]) {
        precondition(contents.count <= Int(UInt16.max), "a TPM2B holds at most 65535 bytes")
        write(UInt16(contents.count))
        bytes += contents
    }

    /// A `TPM2B` whose contents are a marshalled structure (`TPM2B_PUBLIC`, `TPM2B_SENSITIVE_CREATE`).
    public mutating func writeSized(_ body: (inout TPMWriter) -> Void) {
        var inner = TPMWriter()
        body(&inner)
        writeSized(inner.bytes)
    }
}
