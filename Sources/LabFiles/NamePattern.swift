/// A pattern for names and serials in a fleet entry: `CTS-{seq:04}`, `{lab}-{model}-{seq:02}`.
///
/// Placeholders: `{seq}` (the device's sequence number, optionally zero-padded to a width),
/// `{lab}` and `{model}`. `{{` and `}}` write literal braces.
struct NamePattern {
    private enum Part {
        case literal(String)
        case sequence(width: Int)
        case lab
        case model
    }

    private let parts: [Part]

    /// Whether the pattern varies per device.
    var usesSequence: Bool { parts.contains { if case .sequence = $0 { true } else { false } } }

    init(_ text: String) throws(NamePatternError) {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let character = rest.first {
            rest.removeFirst()
            if character == "}" {
                guard rest.first == "}" else { throw NamePatternError("a lone '}' (write '}}' for a brace)") }
                rest.removeFirst()
                literal.append("}")
                continue
            }
            guard character == "{" else { literal.append(character); continue }
            if rest.first == "{" { rest.removeFirst(); literal.append("{"); continue }
            guard let end = rest.firstIndex(of: "}") else { throw NamePatternError("'{' is never closed") }
            let placeholder = rest[..<end]
            rest = rest[rest.index(after: end)...]
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
            switch placeholder {
            case "lab": parts.append(.lab)
            case "model": parts.append(.model)
            case "seq": parts.append(.sequence(width: 0))
            default:
                guard placeholder.hasPrefix("seq:"), let width = Int(placeholder.dropFirst(4)), (1...12).contains(width) else {
                    throw NamePatternError("{\(placeholder)} is not a placeholder; use {seq}, {seq:N}, {lab} or {model}")
                }
                parts.append(.sequence(width: width))
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    func render(sequence: Int, lab: String, model: String) -> String {
        parts.map { part in
            switch part {
            case .literal(let text): return text
            case .lab: return lab
            case .model: return model
            case .sequence(let width):
                let digits = String(sequence)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
        }.joined()
    }
}

struct NamePatternError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
