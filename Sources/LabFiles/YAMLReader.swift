import DeviceProtocol
import Yams

/// Collects the problems found while reading one lab file, so that all of them are reported at
/// once rather than one per run.
final class DiagnosticLog {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// The document is JSON (``JSONSurrogatePairs/isJSON(_:)``): text values must be JSON strings.
    var isJSON = false
    /// The surrogate pairs rewritten in a JSON document, whose columns libyaml counts on the
    /// rewritten text; problems are reported at the columns as written.
    var surrogatePairs: JSONSurrogatePairs?

    init(file: String) { self.file = file }

    func error(at mark: Mark?, _ path: String, _ message: String) {
        guard let mark else { return error(line: 0, column: 0, path, message) }
        let column = surrogatePairs?.originalColumn(line: mark.line, column: mark.column) ?? mark.column
        error(line: mark.line, column: column, path, message)
    }

    func error(line: Int, column: Int, _ path: String, _ message: String) {
        diagnostics.append(Diagnostic(file: file, line: line, column: column, path: path, message: message))
    }

    var isEmpty: Bool { diagnostics.isEmpty }
}

/// A YAML node with its path in the document, read into typed values. A value of the wrong type
/// is reported (with its line and column) and read as nil, so reading goes on.
struct YAMLValue {
    let node: Node
    let path: String
    let log: DiagnosticLog

    var mark: Mark? { node.mark }

    func error(_ message: String) { log.error(at: mark, path, message) }

    /// A text value: the text of a scalar, exactly as written (`0001` stays `0001`). In a JSON
    /// document it must be a JSON string: `5`, `true` or `null` where text is expected is an error
    /// there (in YAML, `groupTag: 1234` is text).
    func string() -> String? {
        guard let text = scalarText() else { return nil }
        if log.isJSON, case .scalar(let scalar) = node, scalar.style != .doubleQuoted {
            error("expected a text value (a JSON string), found \(text)")
            return nil
        }
        return text
    }

    /// The text of a scalar exactly as written, whatever it resolves to: for values read from
    /// their text, such as numbers, durations and error codes (`5` or `"5"` in JSON).
    func scalarText() -> String? {
        guard case .scalar(let scalar) = node else {
            error("expected a text value, found \(node.kindName)")
            return nil
        }
        return scalar.string
    }

    /// A null: `null`, `Null`, `NULL`, `~` or nothing at all, unquoted, as YAML's core schema (and
    /// JSON) resolve them. An optional field that is null is absent (``MappingReader/subscript(_:)``).
    var isNull: Bool { node.tag.rawValue == Tag.Name.null.rawValue }

    /// A non-empty text value.
    func nonEmptyString() -> String? {
        guard let text = string() else { return nil }
        if text.isEmpty { error("must not be empty") }
        return text.isEmpty ? nil : text
    }

    func int(in range: ClosedRange<Int> = Int.min...Int.max) -> Int? {
        guard let text = scalarText() else { return nil }
        guard let value = Int(text) else {
            error("expected a whole number, found '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            error("\(value) is out of range (\(range.lowerBound)...\(range.upperBound))")
            return nil
        }
        return value
    }

    /// `true` or `false`, in any case (YAML's `True`; the "True" PowerShell scripts send).
    func bool() -> Bool? {
        switch scalarText()?.lowercased() {
        case "true": return true
        case "false": return false
        case nil: return nil
        case let text?:
            error("expected true or false, found '\(text)'")
            return nil
        }
    }

    /// One of a fixed set of words.
    func oneOf<Choice>(_ choices: [(String, Choice)]) -> Choice? {
        guard let text = scalarText() else { return nil }
        if let match = choices.first(where: { $0.0 == text }) { return match.1 }
        error("'\(text)' is not one of: \(choices.map(\.0).joined(separator: ", "))")
        return nil
    }

    /// One of an enumeration's values, by its name.
    func oneOf<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type) -> Choice? where Choice.RawValue == String {
        oneOf(type.allCases.map { ($0.rawValue, $0) })
    }

    /// A Windows error code: `0x800705B4` (or a decimal number).
    func errorCode() -> UInt32? {
        guard let text = scalarText() else { return nil }
        let parsed = ErrorCode.parse(text)
        if parsed == nil { error("'\(text)' is not an error code such as 0x800705B4") }
        return parsed
    }

    /// A mapping whose keys must come from `allowed`. Unknown keys are reported.
    func mapping(allowing allowed: [String]) -> MappingReader? {
        guard case .mapping(let mapping) = node else {
            error("expected a mapping (key: value pairs), found \(node.kindName)")
            return nil
        }
        return MappingReader(mapping: mapping, path: path, log: log, allowed: allowed)
    }

    /// The items of a sequence, each with its `[index]` path.
    func sequence() -> [YAMLValue]? {
        guard case .sequence(let sequence) = node else {
            error("expected a list, found \(node.kindName)")
            return nil
        }
        return sequence.enumerated().map { YAMLValue(node: $1, path: "\(path)[\($0)]", log: log) }
    }

    /// A list of text values.
    func stringList() -> [String]? {
        sequence()?.compactMap { $0.string() }
    }

    /// A duration: `90`, `90s`, `1m30s`, `250ms`, `2h`, read as seconds.
    func duration() -> Double? {
        guard let text = scalarText() else { return nil }
        guard let seconds = DurationText.seconds(text) else {
            error("'\(text)' is not a duration (examples: 30s, 1m30s, 250ms, 2h, or a number of seconds)")
            return nil
        }
        return seconds
    }

    /// A size in bytes: a number in `defaultUnit`, or with a unit (`512MiB`, `4GiB`, `2.5GB`).
    func bytes(defaultUnit: ByteUnit) -> Int? {
        guard let text = scalarText() else { return nil }
        guard let bytes = ByteUnit.bytes(text, defaultUnit: defaultUnit) else {
            error("'\(text)' is not a size (examples: 4096 in \(defaultUnit.rawValue), 4GiB, 512MiB, 2.5GB)")
            return nil
        }
        return bytes
    }
}

/// A YAML mapping whose keys are checked against the keys its section allows; unknown keys are
/// reported with the nearest allowed spelling.
struct MappingReader {
    let mapping: Node.Mapping
    let path: String
    let log: DiagnosticLog
    private var values: [String: YAMLValue] = [:]

    init(mapping: Node.Mapping, path: String, log: DiagnosticLog, allowed: [String]) {
        self.mapping = mapping
        self.path = path
        self.log = log
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string else {
                log.error(at: keyNode.mark, path, "keys must be text, found \(keyNode.kindName)")
                continue
            }
            // Repeated keys never get here: Yams rejects them while parsing.
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                let hint = Spelling.closest(to: key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                log.error(at: keyNode.mark, childPath,
                          "unknown field\(hint); allowed here: \(allowed.joined(separator: ", "))")
                continue
            }
            values[key] = YAMLValue(node: valueNode, path: childPath, log: log)
        }
    }

    var mark: Mark? { mapping.mark }

    /// The value of an optional field; a field that is null (``YAMLValue/isNull``) is absent.
    subscript(key: String) -> YAMLValue? {
        values[key].flatMap { $0.isNull ? nil : $0 }
    }

    /// The value of a field that must be present; its absence is reported, and so is a null.
    func required(_ key: String) -> YAMLValue? {
        guard let value = values[key] else {
            log.error(at: mark, path.isEmpty ? key : "\(path).\(key)", "required field is missing")
            return nil
        }
        guard !value.isNull else {
            value.error(value.node.scalar?.string.isEmpty == true ? "must not be empty" : "must not be null")
            return nil
        }
        return value
    }

    func error(_ key: String, _ message: String) {
        let value = values[key]
        log.error(at: value?.mark ?? mark, value?.path ?? (path.isEmpty ? key : "\(path).\(key)"), message)
    }
}

extension Node {
    var kindName: String {
        switch self {
        case .scalar(let scalar): scalar.string.isEmpty ? "an empty value" : "the text '\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}

/// Suggests the nearest allowed key for a misspelt one.
enum Spelling {
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}
