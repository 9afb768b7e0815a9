import Foundation

/// A recursive-descent parser for Entra dynamic membership rules.
///
///     rule       := or
///     or         := and ("-or" and)*
///     and        := not ("-and" not)*
///     not        := "-not" not | primary
///     primary    := "(" or ")" | comparison
///     comparison := property operator value
///                 | property ("-any" | "-all") "(" "_" operator value ")"
///     property   := "device." name
///     value      := "string" | [ "a", "b" ] | null
struct RuleParser {
    private let text: String
    private let characters: [Character]
    private var position = 0
    /// How deep `-not` and parentheses nest at the current position.
    private var depth = 0
    /// Deeper rules are refused rather than parsed on an ever deeper stack (the fuzzer overflowed
    /// it with a 40 KB rule); Entra's own 3,072-character limit keeps real rules far below it.
    static let maximumDepth = 64

    init(_ text: String) {
        self.text = text
        self.characters = Array(text)
    }

    mutating func parseRule() throws(MembershipRuleError) -> MembershipRule.Expression {
        skipSpaces()
        guard position < characters.count else { throw error("the rule is empty") }
        let expression = try parseOr()
        skipSpaces()
        guard position == characters.count else { throw error("unexpected '\(rest(12))' after a complete rule") }
        return expression
    }

    private mutating func parseOr() throws(MembershipRuleError) -> MembershipRule.Expression {
        var left = try parseAnd()
        while consumeKeyword("-or") { left = .or(left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws(MembershipRuleError) -> MembershipRule.Expression {
        var left = try parseNot()
        while consumeKeyword("-and") { left = .and(left, try parseNot()) }
        return left
    }

    private mutating func parseNot() throws(MembershipRuleError) -> MembershipRule.Expression {
        if consumeKeyword("-not") {
            try descend()
            defer { depth -= 1 }
            return .not(try parseNot())
        }
        return try parsePrimary()
    }

    private mutating func descend() throws(MembershipRuleError) {
        depth += 1
        if depth > Self.maximumDepth { throw error("the rule nests -not and parentheses deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func parsePrimary() throws(MembershipRuleError) -> MembershipRule.Expression {
        skipSpaces()
        if consume("(") {
            try descend()
            defer { depth -= 1 }
            let inner = try parseOr()
            guard consume(")") else { throw error("expected ')' to close the '(' ") }
            return inner
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(MembershipRuleError) -> MembershipRule.Expression {
        let property = try parseProperty()
        skipSpaces()
        let operatorStart = position
        let word = readWord()
        switch word.lowercased() {
        case "-any", "-all":
            guard property.isCollection else {
                throw error("\(word) applies to collections such as device.devicePhysicalIds, not device.\(property.rawValue)",
                            at: operatorStart)
            }
            guard consume("(") else { throw error("expected '(' after \(word)") }
            skipSpaces()
            guard consume("_") else { throw error("expected '_' (the current item) inside \(word)(...)") }
            let op = try parseOperator()
            let value = try parseValue(for: op)
            guard consume(")") else { throw error("expected ')' to close \(word)(...)") }
            return .quantified(property: property, all: word.lowercased() == "-all", op: op, value: value)
        default:
            position = operatorStart
            if property.isCollection {
                throw error("device.\(property.rawValue) is a collection: use -any (_ -eq \"...\") or -all", at: operatorStart)
            }
            let op = try parseOperator()
            return .compare(property: property, op: op, value: try parseValue(for: op))
        }
    }

    private mutating func parseProperty() throws(MembershipRuleError) -> MembershipRule.Property {
        skipSpaces()
        let start = position
        let word = readWord()
        guard word.lowercased().hasPrefix("device.") else {
            throw error(word.isEmpty ? "expected a property such as device.devicePhysicalIds" : "'\(word)' is not a device property (device.…)",
                        at: start)
        }
        let name = word.dropFirst("device.".count)
        guard let property = MembershipRule.Property.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            throw error("device.\(name) is not a property rules can use here; known: "
                        + MembershipRule.Property.allCases.map(\.rawValue).joined(separator: ", "), at: start)
        }
        return property
    }

    private mutating func parseOperator() throws(MembershipRuleError) -> MembershipRule.Operator {
        skipSpaces()
        let start = position
        let word = readWord()
        guard let op = MembershipRule.Operator.allCases.first(where: { $0.rawValue.lowercased() == word.lowercased() }) else {
            throw error(word.isEmpty ? "expected an operator such as -eq" : "'\(word)' is not an operator; use "
                        + MembershipRule.Operator.allCases.map(\.rawValue).joined(separator: ", "), at: start)
        }
        return op
    }

    private mutating func parseValue(for op: MembershipRule.Operator) throws(MembershipRuleError) -> MembershipRule.Value {
        skipSpaces()
        if op == .in || op == .notIn {
            guard consume("[") else { throw error("\(op.rawValue) takes a list such as [\"a\", \"b\"]") }
            var items: [String] = []
            skipSpaces()
            if consume("]") { return .list(items) }
            repeat {
                skipSpaces()
                items.append(try parseString())
                skipSpaces()
            } while consume(",")
            guard consume("]") else { throw error("expected ',' or ']' in the list") }
            return .list(items)
        }
        let start = position
        if readWord().lowercased() == "null" { return .null }
        position = start
        if op == .match || op == .notMatch {
            let pattern = try parseString()
            guard let compiled = RulePattern(pattern) else {
                throw error("\(op.rawValue) needs a valid regular expression: '\(pattern)'", at: start)
            }
            return .pattern(compiled)
        }
        return .string(try parseString())
    }

    private mutating func parseString() throws(MembershipRuleError) -> String {
        skipSpaces()
        let start = position
        guard consume("\"") else { throw error("expected a value in double quotes", at: start) }
        var value = ""
        while position < characters.count {
            let character = characters[position]
            position += 1
            if character == "\\", position < characters.count, characters[position] == "\"" {
                value.append("\"")
                position += 1
            } else if character == "\"" {
                return value
            } else {
                value.append(character)
            }
        }
        throw error("the string that starts here is never closed", at: start)
    }

    // MARK: Scanning

    private mutating func skipSpaces() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }

    private mutating func consume(_ character: Character) -> Bool {
        skipSpaces()
        guard position < characters.count, characters[position] == character else { return false }
        position += 1
        return true
    }

    private mutating func consumeKeyword(_ keyword: String) -> Bool {
        skipSpaces()
        let start = position
        if readWord().lowercased() == keyword { return true }
        position = start
        return false
    }

    /// Letters, digits, '.' and '_' after the first character, and a leading '-': a property
    /// name, an operator or a keyword.
    private mutating func readWord() -> String {
        var word = ""
        while position < characters.count {
            let character = characters[position]
            let allowed = character.isLetter || character.isNumber
                || (!word.isEmpty && (character == "." || character == "_"))
                || (word.isEmpty && character == "-")
            guard allowed else { break }
            word.append(character)
            position += 1
        }
        return word
    }

    private func rest(_ count: Int) -> String { String(characters[position...].prefix(count)) }

    private func error(_ message: String, at column: Int? = nil) -> MembershipRuleError {
        MembershipRuleError(rule: text, column: (column ?? position) + 1, message: message)
    }
}
