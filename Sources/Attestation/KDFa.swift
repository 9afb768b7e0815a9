internal import TPM2

/// The TPM's KDFa with SHA-256 (TPM 2.0 Part 1 §11.4.10.2): SP 800-108's KDF in counter mode
/// with HMAC, each block `HMAC(key, counter || label || 0x00 || contextU || contextV || bits)`,
/// counter and bits as 32-bit big-endian.
///
/// ```swift
/// let symmetricKey = try KDFa.sha256(key: seed, label: "STORAGE", contextU: akName, contextV: [], bits: 128)
/// ```
enum KDFa {
    static func sha256(key: [UInt8], label: String, contextU: [UInt8], contextV: [UInt8], bits: Int) throws -> [UInt8] {
        precondition(bits > 0 && bits % 8 == 0, "KDFa is used here for whole bytes only")
        var output: [UInt8] = []
        var counter: UInt32 = 1
        while output.count < bits / 8 {
            var block = TPMWriter()
            block.write(counter)
            block.write(raw: label.utf8)
            block.write(UInt8(0))  // the label's terminating zero (Part 1 §11.4.10.1)
            block.write(raw: contextU)
            block.write(raw: contextV)
            block.write(UInt32(bits))
            output += try LibCrypto.hmacSHA256(key: key, block.bytes)
            counter += 1
        }
        return Array(output.prefix(bits / 8))
    }
}
