import Foundation

/// A dynamic device-group membership rule in Entra's syntax, parsed.
///
/// Supports what Autopilot groups use: `device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales")`,
/// `-startsWith "[ZTDid]"`, `[PurchaseOrderId]`, `-contains`, scalar properties such as
/// `device.enrollmentProfileName` and `device.deviceModel`, `-and`, `-or`, `-not` and parentheses.
/// Keywords, property names and string comparisons are case-insensitive, as in Entra.
public struct MembershipRule: Equatable, Sendable, CustomStringConvertible, Codable {
    /// The rule as written.
    public let text: String
    let expression: Expression

    /// Parses a rule. Throws ``MembershipRuleError`` with the 1-based column of the problem.
    public init(_ text: String) throws(MembershipRuleError) {
        guard text.count <= Self.maximumLength else {
            throw MembershipRuleError(rule: text, column: Self.maximumLength + 1,
                                      message: "the rule is \(text.count) characters long; Entra's limit is \(Self.maximumLength)")
        }
        self.text = text
        var parser = RuleParser(text)
        self.expression = try parser.parseRule()
    }

    /// Entra refuses rules longer than this.
    public static let maximumLength = 3_072

    public var description: String { text }

    /// A rule is stored as its text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    /// Whether a device with these properties matches.
    public func matches(_ device: DeviceProperties) -> Bool { expression.evaluate(device) }

    indirect enum Expression: Equatable, Sendable {
        case and(Expression, Expression)
        case or(Expression, Expression)
        case not(Expression)
        /// `device.property -op value`.
        case compare(property: Property, op: Operator, value: Value)
        /// `device.collection -any (_ -op value)` or `-all`.
        case quantified(property: Property, all: Bool, op: Operator, value: Value)

        func evaluate(_ device: DeviceProperties) -> Bool {
            switch self {
            case .and(let left, let right): return left.evaluate(device) && right.evaluate(device)
            case .or(let left, let right): return left.evaluate(device) || right.evaluate(device)
            case .not(let inner): return !inner.evaluate(device)
            case .compare(let property, let op, let value):
                return op.apply(device.value(of: property), value)
            case .quantified(let property, let all, let op, let value):
                let items = device.values(of: property)
                return all ? items.allSatisfy { op.apply($0, value) } : items.contains { op.apply($0, value) }
            }
        }
    }

    /// Device properties rules can test.
    public enum Property: String, CaseIterable, Sendable {
        case devicePhysicalIds, deviceId, displayName, deviceModel, deviceManufacturer, enrollmentProfileName
        case deviceOSType, deviceOSVersion, deviceOwnership, managementType, systemLabels

        var isCollection: Bool { self == .devicePhysicalIds || self == .systemLabels }
    }

    /// Comparison operators.
    public enum Operator: String, CaseIterable, Sendable {
        case eq = "-eq", ne = "-ne", startsWith = "-startsWith", notStartsWith = "-notStartsWith"
        case contains = "-contains", notContains = "-notContains", match = "-match", notMatch = "-notMatch"
        case `in` = "-in", notIn = "-notIn"

        func apply(_ actual: String?, _ value: Value) -> Bool {
            switch (self, value) {
            case (.in, .list(let options)): return actual.map { a in options.contains { $0.caseInsensitiveCompare(a) == .orderedSame } } ?? false
            case (.notIn, .list(let options)): return !Operator.in.apply(actual, .list(options))
            case (_, .null): return self == .eq ? actual == nil : actual != nil
            case (_, .list): return false
            case (.match, .pattern(let pattern)), (.notMatch, .pattern(let pattern)):
                guard let actual else { return self == .notMatch }
                return pattern.isFound(in: actual) == (self == .match)
            case (_, .pattern): return false
            case (_, .string(let expected)):
                guard let actual else { return self == .ne || self == .notStartsWith || self == .notContains || self == .notMatch }
                let a = actual.lowercased(), e = expected.lowercased()
                switch self {
                case .eq: return a == e
                case .ne: return a != e
                case .startsWith: return a.hasPrefix(e)
                case .notStartsWith: return !a.hasPrefix(e)
                case .contains: return a.contains(e)
                case .notContains: return !a.contains(e)
                case .match, .notMatch, .in, .notIn: return false  // patterns and lists are values of their own
                }
            }
        }
    }

    enum Value: Equatable, Sendable {
        case string(String)
        /// The pattern of `-match` and `-notMatch`, compiled when the rule was parsed.
        case pattern(RulePattern)
        case list([String])
        case null
    }
}

/// The properties of a device that membership rules test, as Entra sees an Autopilot device.
public struct DeviceProperties: Sendable, Equatable {
    /// `[ZTDId]:…`, `[OrderID]:…`, `[PurchaseOrderId]:…`, `[HWID]:…` and so on.
    public var physicalIds: [String]
    public var scalars: [MembershipRule.Property: String]

    public init(physicalIds: [String], scalars: [MembershipRule.Property: String] = [:]) {
        self.physicalIds = physicalIds
        self.scalars = scalars
    }

    func value(of property: MembershipRule.Property) -> String? { scalars[property] }

    func values(of property: MembershipRule.Property) -> [String] {
        switch property {
        case .devicePhysicalIds: physicalIds
        default: scalars[property].map { [$0] } ?? []
        }
    }
}

/// A rule that does not parse, with the 1-based column where the problem is.
public struct MembershipRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let rule: String
    public let column: Int
    public let message: String

    public var description: String { "column \(column): \(message)" }

    /// The rule with a caret under the problem, as a two-line snippet.
    public var snippet: String { rule + "\n" + String(repeating: " ", count: max(0, column - 1)) + "^" }
}
