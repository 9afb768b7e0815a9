import Foundation

/// The regular expression of a `-match` or `-notMatch` comparison, compiled once when the rule is
/// parsed and kept in the parsed rule, so that matching a fleet does not compile it per device.
///
/// Case-insensitive, as Entra's string comparisons are. Two patterns are equal when their text is:
/// a rule is its text, and the compiled form follows from it.
struct RulePattern: Sendable, Equatable {
    /// The pattern as written in the rule.
    let text: String
    /// Immutable and Sendable: one compiled expression serves concurrent matches.
    private let regex: NSRegularExpression

    /// Compiles `text`; nil if it is not a valid ICU regular expression.
    init?(_ text: String) {
        guard let regex = try? NSRegularExpression(pattern: text, options: [.caseInsensitive]) else { return nil }
        self.text = text
        self.regex = regex
    }

    /// Whether the pattern is found anywhere in `value` (Entra's `-match` is a search, not a full
    /// match: anchor with `^` and `$`).
    func isFound(in value: String) -> Bool {
        regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    static func == (left: RulePattern, right: RulePattern) -> Bool { left.text == right.text }
}
