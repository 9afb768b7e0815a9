/// Base64 (RFC 4648) with the error positions a hash import needs, and padding fixes: devices
/// emit unpadded base64, Intune wants it padded.
public enum Base64Padding {
    /// The text with `=` padding added to a multiple of four characters.
    public static func padded(_ text: String) -> String {
        let remainder = text.utf8.count % 4
        return remainder == 0 ? text : text + String(repeating: "=", count: 4 - remainder)
    }

    /// Whether the text is already padded to a multiple of four characters.
    public static func isPadded(_ text: String) -> Bool { text.utf8.count % 4 == 0 }
}

/// Why base64 text could not be decoded.
public struct Base64Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// 0-based character position.
    public let position: Int
    public let message: String
    public var description: String { "character \(position + 1): \(message)" }
}

enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = Int8(index) }
        return table
    }()

    /// Whether a byte is one of base64's 64 characters.
    static func isAlphabet(_ byte: UInt8) -> Bool { values[Int(byte)] >= 0 }

    /// Decodes padded or unpadded base64; spaces and line breaks are skipped.
    static func decode(_ text: String) throws(Base64Error) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        var padding = 0
        for (position, character) in text.utf8.enumerated() {
            if character == UInt8(ascii: " ") || character == UInt8(ascii: "\n") || character == UInt8(ascii: "\r")
                || character == UInt8(ascii: "\t") { continue }
            if character == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0 else { throw Base64Error(position: position, message: "data after '=' padding") }
            let value = values[Int(character)]
            guard value >= 0 else {
                let shown = character < 0x80 ? "'\(Character(Unicode.Scalar(character)))'" : "byte 0x\(String(character, radix: 16))"
                throw Base64Error(position: position, message: "\(shown) is not a base64 character")
            }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        guard padding <= 2 else { throw Base64Error(position: text.utf8.count - 1, message: "more than two '=' characters") }
        guard bits < 6 else { throw Base64Error(position: text.utf8.count - 1, message: "the text ends in the middle of a byte") }
        return output
    }

    /// Encodes with `=` padding.
    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output += [alphabet[Int(chunk >> 18 & 63)], alphabet[Int(chunk >> 12 & 63)],
                       alphabet[Int(chunk >> 6 & 63)], alphabet[Int(chunk & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let chunk = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            output += [alphabet[Int(chunk >> 18 & 63)], alphabet[Int(chunk >> 12 & 63)]]
            output += rest == 2 ? [alphabet[Int(chunk >> 6 & 63)], UInt8(ascii: "=")] : [UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return String(decoding: output, as: UTF8.self)
    }
}
