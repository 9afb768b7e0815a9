import DeviceProtocol
import Foundation

/// The service's JSON writer: the objects it builds (strings, integers, doubles, booleans, nulls,
/// arrays and objects) as compact UTF-8 with keys in code-point order and slashes unescaped.
/// Foundation's `JSONSerialization` bridged every dictionary to `NSDictionary` and sorted keys
/// with a locale: two thirds of a system GET's time. A value of any other kind (a number parsed
/// from a request) goes through `JSONSerialization` whole.
enum RedfishJSON {
    static func data(_ object: [String: Any]) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4_096)
        guard write(object, into: &bytes) else {
            return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        }
        return Data(bytes)
    }

    /// False when `value` holds something this writer does not know.
    private static func write(_ value: Any, into bytes: inout [UInt8]) -> Bool {
        switch value {
        case let string as String:
            JSONText.string(string, into: &bytes)
        case let object as [String: Any]:
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONText.string(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                guard write(object[key]!, into: &bytes) else { return false }
            }
            bytes.append(UInt8(ascii: "}"))
        case let array as [Any]:
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                guard write(element, into: &bytes) else { return false }
            }
            bytes.append(UInt8(ascii: "]"))
        // Exact types: a native Int also casts to NSNumber, and a parsed NSNumber to Bool, Int
        // and Double alike (those go through JSONSerialization).
        case let bool as Bool where type(of: value) == Bool.self:
            bytes.append(contentsOf: bool ? JSONText.true : JSONText.false)
        case let int as Int where type(of: value) == Int.self:
            bytes.append(contentsOf: String(int).utf8)
        case let double as Double where type(of: value) == Double.self:
            guard double.isFinite else { return false }
            // Whole numbers as integers, as JSONSerialization writes them.
            if double == double.rounded(), abs(double) < 1e15 {
                bytes.append(contentsOf: String(Int(double)).utf8)
            } else {
                bytes.append(contentsOf: String(double).utf8)
            }
        case is NSNull:
            bytes.append(contentsOf: JSONText.null)
        default:
            return false
        }
        return true
    }
}
