import Foundation

/// A request body as Graph clients send it, read field by field with errors that name the
/// field. The WindowsAutopilotIntune module builds its bodies by hand: keys without quotes,
/// trailing commas and booleans as the text "True" are accepted, as the real service accepts them.
struct GraphBody: Sendable {
    /// The object's fields (JSONSerialization's values: texts, numbers, booleans, arrays, objects).
    nonisolated(unsafe) let fields: [String: Any]

    init(fields: [String: Any]) { self.fields = fields }

    init(_ data: Data) throws {
        guard !data.isEmpty else {
            fields = [:]
            return
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: LenientJSON.strict(data))
        } catch {
            throw GraphError.badRequest("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
        }
        guard let fields = object as? [String: Any] else { throw GraphError.badRequest("The request body must be a JSON object.") }
        self.fields = fields
    }

    /// A text field; nil when absent or null.
    func string(_ key: String) throws -> String? {
        switch fields[key] {
        case nil, is NSNull: return nil
        case let text as String: return text
        default: throw GraphError.badRequest("Cannot convert the literal in '\(key)' to the expected type 'Edm.String'.")
        }
    }

    /// A boolean field, also as the text "True" or "False" (any case); nil when absent or null.
    func bool(_ key: String) throws -> Bool? {
        switch fields[key] {
        case nil, is NSNull: return nil
        case let text as String where text.lowercased() == "true": return true
        case let text as String where text.lowercased() == "false": return false
        case let flag as Bool: return flag
        default: throw GraphError.badRequest("Cannot convert the literal in '\(key)' to the expected type 'Edm.Boolean'.")
        }
    }

    /// A whole-number field (`Edm.Int32`); nil when absent or null. A boolean, a fraction or a
    /// number out of range is refused, naming the field.
    func int(_ key: String) throws -> Int? {
        switch fields[key] {
        case nil, is NSNull: return nil
        // JSONSerialization gives every JSON number and boolean as an NSNumber; a boolean's type is "c".
        case let number as NSNumber where String(cString: number.objCType) != "c":
            if let value = Int(exactly: number.doubleValue), Int(Int32.min)...Int(Int32.max) ~= value { return value }
            fallthrough
        default: throw GraphError.badRequest("Cannot convert the literal in '\(key)' to the expected type 'Edm.Int32'.")
        }
    }

    /// Fields this body has that `known` does not list.
    func unknownFields(_ known: Set<String>) -> [String] {
        fields.keys.filter { !$0.hasPrefix("@odata.") && !known.contains($0) }.sorted()
    }
}

/// Rewrites the JSON-like text PowerShell scripts send into JSON: bare keys are quoted and a
/// comma before a closing bracket is dropped. Strings are copied as they are.
enum LenientJSON {
    static func strict(_ data: Data) -> Data {
        let input = Array(data)
        var output: [UInt8] = []
        output.reserveCapacity(input.count + 16)
        var index = 0
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "@")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "$") || byte == UInt8(ascii: "-")
        }
        func nextSignificant(after position: Int) -> UInt8? {
            var next = position
            while next < input.count, [0x20, 0x09, 0x0A, 0x0D].contains(input[next]) { next += 1 }
            return next < input.count ? input[next] : nil
        }
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                // A string, copied through its closing quote.
                output.append(byte)
                index += 1
                while index < input.count {
                    let inner = input[index]
                    output.append(inner)
                    index += 1
                    if inner == UInt8(ascii: "\\"), index < input.count {
                        output.append(input[index])
                        index += 1
                    } else if inner == UInt8(ascii: "\"") {
                        break
                    }
                }
            } else if byte == UInt8(ascii: ","), let next = nextSignificant(after: index + 1),
                      next == UInt8(ascii: "}") || next == UInt8(ascii: "]") {
                index += 1
            } else if isWordByte(byte) && byte != UInt8(ascii: "-") && !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
                var end = index
                while end < input.count, isWordByte(input[end]) { end += 1 }
                if nextSignificant(after: end) == UInt8(ascii: ":") {
                    output.append(UInt8(ascii: "\""))
                    output.append(contentsOf: input[index..<end])
                    output.append(UInt8(ascii: "\""))
                } else {
                    output.append(contentsOf: input[index..<end])
                }
                index = end
            } else {
                output.append(byte)
                index += 1
            }
        }
        return Data(output)
    }
}
