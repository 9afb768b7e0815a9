import Foundation
import DeviceProtocol

/// JSON written straight into bytes, in the order fields are given: Graph's answers are large
/// lists (a page is 1,000 identities), so nothing goes through dictionaries or `JSONEncoder`.
/// An object written with a selection (`$select`) keeps only the named fields and the
/// `@odata.` annotations.
public struct GraphJSON: Sendable {
    public var bytes: [UInt8]
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// An object: `GraphJSON.object { $0.field("id", "x") }`.
    static func object(selecting selection: FieldSelection? = nil, _ build: (inout ObjectWriter) -> Void) -> GraphJSON {
        var writer = ObjectWriter(bytes: [], selection: selection)
        writer.bytes.reserveCapacity(256)
        writer.open()
        build(&writer)
        writer.close()
        return GraphJSON(bytes: writer.bytes)
    }

    /// Graph's date-times: UTC, ISO 8601, `Z`.
    static func dateTime(_ date: Date) -> String { ISO8601.format(date) }

    /// The date-time Graph sends for "never".
    static let never = "0001-01-01T00:00:00Z"
}

/// The fields `$select` names, compared without case; the `@odata.` annotations always stay.
struct FieldSelection: Sendable {
    let names: Set<String>

    init?(_ query: String?) {
        guard let query, !query.isEmpty else { return nil }
        names = Set(query.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }

    func keeps(_ field: String) -> Bool { field.hasPrefix("@odata.") || names.contains(field.lowercased()) }
}

/// Writes the fields of one JSON object.
struct ObjectWriter {
    var bytes: [UInt8]
    let selection: FieldSelection?
    var first = true

    init(bytes: [UInt8], selection: FieldSelection?) {
        self.bytes = bytes
        self.selection = selection
    }

    mutating func open() { bytes.append(UInt8(ascii: "{")) }
    mutating func close() { bytes.append(UInt8(ascii: "}")) }

    /// Writes the name and returns true, unless the selection leaves the field out.
    private mutating func name(_ name: String) -> Bool {
        if let selection, !selection.keeps(name) { return false }
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        JSONText.string(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        return true
    }

    /// A text field; nil writes `null`.
    mutating func field(_ key: String, _ value: String?) {
        guard name(key) else { return }
        if let value { JSONText.string(value, into: &bytes) } else { bytes.append(contentsOf: JSONText.null) }
    }

    mutating func field(_ key: String, _ value: Int) {
        guard name(key) else { return }
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ key: String, _ value: Bool) {
        guard name(key) else { return }
        bytes.append(contentsOf: value ? JSONText.true : JSONText.false)
    }

    mutating func field(_ key: String, _ values: [String]) {
        guard name(key) else { return }
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONText.string(value, into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func nullField(_ key: String) {
        guard name(key) else { return }
        bytes.append(contentsOf: JSONText.null)
    }

    /// A nested object; the selection applies to this object's fields only.
    mutating func object(_ key: String, _ build: (inout ObjectWriter) -> Void) {
        guard name(key) else { return }
        var inner = ObjectWriter(bytes: [], selection: nil)
        swap(&inner.bytes, &bytes)
        inner.open()
        build(&inner)
        inner.close()
        swap(&inner.bytes, &bytes)
    }

    /// An array of objects, each written by `build`.
    mutating func objects<Item>(_ key: String, _ items: some Sequence<Item>, selecting selection: FieldSelection? = nil,
                                _ build: (inout ObjectWriter, Item) -> Void) {
        guard name(key) else { return }
        bytes.append(UInt8(ascii: "["))
        var inner = ObjectWriter(bytes: [], selection: selection)
        swap(&inner.bytes, &bytes)
        var firstItem = true
        for item in items {
            if !firstItem { inner.bytes.append(UInt8(ascii: ",")) }
            firstItem = false
            inner.first = true
            inner.open()
            build(&inner, item)
            inner.close()
        }
        swap(&inner.bytes, &bytes)
        bytes.append(UInt8(ascii: "]"))
    }
}
