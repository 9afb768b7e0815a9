import Foundation

/// A request's OData query options (`$top`, `$skiptoken`, `$filter`, `$select`, `$expand`,
/// `$count`), named with or without the `$`, in any case.
struct ODataQuery: Sendable {
    var top: Int?
    var skipToken: String?
    var filter: ODataFilter?
    var select: FieldSelection?
    var expand: Set<String> = []
    /// Every option as sent, in order, for the next page's link.
    var options: [(name: String, value: String)] = []

    /// Graph's largest page of Intune objects.
    static let maximumTop = 1_000

    init(_ query: Substring?) throws {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            options.append((name, value))
            var key = name.lowercased()
            if key.hasPrefix("$") { key.removeFirst() }
            switch key {
            case "top":
                guard let top = Int(value), top >= 0 else { throw GraphError.badRequest("Invalid value '\(value)' for $top: it must be a whole number.") }
                self.top = top
            case "skiptoken": skipToken = value
            case "filter": filter = try ODataFilter.parse(value)
            case "select": select = FieldSelection(value)
            case "expand": expand = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            case "count", "orderby", "search", "skip", "format":
                continue
            default:
                if name.hasPrefix("$") { throw GraphError.badRequest("The query parameter '\(name)' is not supported.") }
            }
        }
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The page size: `$top`, at most ``maximumTop``.
    var pageSize: Int { min(top ?? Self.maximumTop, Self.maximumTop) }

    /// The query of the page after this one: every option as sent, `$skiptoken` replaced.
    func next(skipToken token: String) -> String {
        var parts = options.filter { $0.name.lowercased().trimmingCharacters(in: ["$"]) != "skiptoken" }
        parts.append(("$skiptoken", token))
        return parts.map { Self.encode($0.name) + "=" + Self.encode($0.value) }.joined(separator: "&")
    }

    private static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~$'(),:")
        return set
    }()

    private static func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
}

/// An OData `$filter` expression: comparisons (`eq`, `ne`) and the string functions `contains`,
/// `startsWith` and `endsWith`, joined by `and`, `or` and `not`, with parentheses. Texts compare
/// without case, as Intune's do.
indirect enum ODataFilter: Sendable, Equatable {
    enum Function: String, Sendable { case contains, startswith, endswith }
    enum Comparison: String, Sendable { case eq, ne }

    case function(Function, property: String, value: String)
    case compare(property: String, Comparison, value: String?)
    case and(ODataFilter, ODataFilter)
    case or(ODataFilter, ODataFilter)
    case not(ODataFilter)

    /// Every property the expression reads, with how (for an entity set's own refusals).
    var terms: [(property: String, filter: ODataFilter)] {
        switch self {
        case .function(_, let property, _), .compare(let property, _, _): [(property, self)]
        case .and(let a, let b), .or(let a, let b): a.terms + b.terms
        case .not(let a): a.terms
        }
    }

    /// Whether an object matches, reading its properties (lowercased names) through `value`.
    func matches(_ value: (String) -> String?) -> Bool {
        switch self {
        case .function(let function, let property, let text):
            guard let field = value(property)?.lowercased() else { return false }
            let text = text.lowercased()
            switch function {
            case .contains: return field.contains(text)
            case .startswith: return field.hasPrefix(text)
            case .endswith: return field.hasSuffix(text)
            }
        case .compare(let property, let comparison, let text):
            let field = value(property)
            let equal = field?.lowercased() == text?.lowercased() || (text == nil && field?.isEmpty != false)
            return comparison == .eq ? equal : !equal
        case .and(let a, let b): return a.matches(value) && b.matches(value)
        case .or(let a, let b): return a.matches(value) || b.matches(value)
        case .not(let a): return !a.matches(value)
        }
    }

    static func parse(_ text: String) throws -> ODataFilter {
        var parser = FilterParser(text: Array(text.unicodeScalars))
        let filter = try parser.expression()
        parser.skipSpaces()
        guard parser.atEnd else { throw parser.problem("unexpected '\(parser.rest)'") }
        return filter
    }
}

/// Recursive descent over a `$filter` text; errors name the position.
private struct FilterParser {
    let text: [Unicode.Scalar]
    var position = 0
    /// How deep parentheses and `not`s go; bounded so that no filter exhausts the stack.
    var depth = 0
    static let maximumDepth = 64

    var atEnd: Bool { position >= text.count }
    var rest: String { String(String.UnicodeScalarView(text[position...])) }

    func problem(_ what: String) -> GraphError {
        GraphError.badRequest("Invalid filter clause: \(what) at position \(position + 1).")
    }

    mutating func skipSpaces() { while !atEnd, text[position] == " " { position += 1 } }

    mutating func word() -> String {
        skipSpaces()
        let start = position
        while !atEnd, text[position].properties.isAlphabetic || ("0"..."9").contains(text[position]) || text[position] == "/"
                || text[position] == "_" || text[position] == "." || text[position] == "-" {
            position += 1
        }
        return String(String.UnicodeScalarView(text[start..<position]))
    }

    mutating func expect(_ scalar: Unicode.Scalar) throws {
        skipSpaces()
        guard !atEnd, text[position] == scalar else { throw problem("expected '\(scalar)'") }
        position += 1
    }

    mutating func peekWord() -> String {
        let saved = position
        defer { position = saved }
        return word().lowercased()
    }

    mutating func expression() throws -> ODataFilter {
        var left = try conjunction()
        while peekWord() == "or" {
            _ = word()
            left = .or(left, try conjunction())
        }
        return left
    }

    mutating func conjunction() throws -> ODataFilter {
        var left = try term()
        while peekWord() == "and" {
            _ = word()
            left = .and(left, try term())
        }
        return left
    }

    mutating func term() throws -> ODataFilter {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw problem("the filter nests deeper than \(Self.maximumDepth) levels") }
        skipSpaces()
        if !atEnd, text[position] == "(" {
            position += 1
            let inner = try expression()
            try expect(")")
            return inner
        }
        let name = word()
        guard !name.isEmpty else { throw problem("expected a property or function") }
        if name.lowercased() == "not" { return .not(try term()) }
        skipSpaces()
        if !atEnd, text[position] == "(" {
            guard let function = ODataFilter.Function(rawValue: name.lowercased()) else {
                throw problem("the function '\(name)' is not supported")
            }
            position += 1
            let property = word()
            try expect(",")
            let value = try literal()
            try expect(")")
            guard let value else { throw problem("\(name) needs a text") }
            return .function(function, property: property.lowercased(), value: value)
        }
        let operatorName = word()
        guard let comparison = ODataFilter.Comparison(rawValue: operatorName.lowercased()) else {
            throw problem("the operator '\(operatorName)' is not supported")
        }
        return .compare(property: name.lowercased(), comparison, value: try literal())
    }

    /// A quoted text ('' is a quote), null, or a bare word (numbers, GUIDs, true, false).
    mutating func literal() throws -> String? {
        skipSpaces()
        guard !atEnd else { throw problem("expected a value") }
        if text[position] == "'" {
            position += 1
            var value = String.UnicodeScalarView()
            while true {
                guard !atEnd else { throw problem("a text is not closed") }
                if text[position] == "'" {
                    if position + 1 < text.count, text[position + 1] == "'" {
                        value.append("'")
                        position += 2
                        continue
                    }
                    position += 1
                    return String(value)
                }
                value.append(text[position])
                position += 1
            }
        }
        let bare = word()
        guard !bare.isEmpty else { throw problem("expected a value") }
        return bare.lowercased() == "null" ? nil : bare
    }
}
