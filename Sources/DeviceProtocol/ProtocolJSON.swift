public import Foundation

/// The JSON both ends of the device protocol and the admin API use: dates as ISO 8601 UTC with
/// milliseconds (`2026-11-25T09:30:00.125Z`), keys sorted. Dates are formatted and parsed by
/// hand, because Foundation's ISO 8601 formatter is slow on this hot path.
public enum ProtocolJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.format(date))
        }
        return encoder
    }

    /// What is wrong with a document `decoder()` refused, in words, with the field it is in
    /// (`events[2].seq: expected Int ...`).
    public static func problem(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON: \(error)" }
        let words = words(of: error)
        return field(of: error).map { "\($0): \(words)" } ?? words
    }

    /// What is wrong, without the field.
    public static func words(of error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "the field '\(key.stringValue)' is missing"
        case .typeMismatch(let type, let context): "expected \(type): \(context.debugDescription)"
        case .valueNotFound(let type, _): "a \(type) value is missing"
        case .dataCorrupted(let context): context.debugDescription.isEmpty ? "the body is not valid JSON" : context.debugDescription
        @unknown default: "the body is not valid"
        }
    }

    /// The field a decoding error is in (`events[2].seq`), when it is in one.
    public static func field(of error: DecodingError) -> String? {
        let context: DecodingError.Context? = switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context
        case .keyNotFound(let key, let context):
            DecodingError.Context(codingPath: context.codingPath + [key], debugDescription: context.debugDescription)
        @unknown default: nil
        }
        guard let path = context?.codingPath, !path.isEmpty else { return nil }
        return path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container,
                                                       debugDescription: "'\(text)' is not an ISO 8601 UTC date-time")
            }
            return date
        }
        return decoder
    }
}

/// ISO 8601 date-times in UTC: `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
public enum ISO8601 {
    /// Milliseconds rounded down.
    public static func format(_ date: Date) -> String {
        format(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)), separator: UInt8(ascii: "T"), zulu: true)
    }

    /// `YYYY-MM-DD<separator>HH:MM:SS.fff`, then `Z` when `zulu`, for a time in milliseconds
    /// since 1970.
    public static func format(milliseconds: Int64, separator: UInt8, zulu: Bool) -> String {
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let fraction = Int32((milliseconds % 1000 + 1000) % 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        guard (0...9999).contains(parts.tm_year + 1900) else {
            // Years of other than four digits, written as they come.
            let text = [parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, fraction]
                .enumerated().map { index, value in
                    let digits = String(value)
                    let width = index == 0 ? 4 : index == 6 ? 3 : 2
                    return String(repeating: "0", count: max(0, width - digits.count)) + digits
                }
            return "\(text[0])-\(text[1])-\(text[2])\(Character(Unicode.Scalar(separator)))\(text[3]):\(text[4]):\(text[5]).\(text[6])"
                + (zulu ? "Z" : "")
        }
        return String(unsafeUninitializedCapacity: 32) { buffer in
            var index = 0
            func digits(_ value: Int32, _ width: Int) {
                var rest = value
                for position in stride(from: width - 1, through: 0, by: -1) {
                    buffer[index + position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                index += width
            }
            func put(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            digits(parts.tm_year + 1900, 4); put(UInt8(ascii: "-")); digits(parts.tm_mon + 1, 2); put(UInt8(ascii: "-"))
            digits(parts.tm_mday, 2); put(separator); digits(parts.tm_hour, 2); put(UInt8(ascii: ":"))
            digits(parts.tm_min, 2); put(UInt8(ascii: ":")); digits(parts.tm_sec, 2); put(UInt8(ascii: ".")); digits(fraction, 3)
            if zulu { put(UInt8(ascii: "Z")) }
            return index
        }
    }

    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z"), bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":") else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for index in range {
                let digit = Int32(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction = 0.0
        if bytes[19] == UInt8(ascii: ".") {
            let digits = bytes[20..<(bytes.count - 1)]
            guard !digits.isEmpty, digits.count <= 9, let value = number(20..<(bytes.count - 1)) else { return nil }
            fraction = Double(value) / pow(10, Double(digits.count))
        } else if bytes.count != 20 {
            return nil
        }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + fraction)
    }
}
