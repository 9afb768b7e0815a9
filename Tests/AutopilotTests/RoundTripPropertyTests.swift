import Foundation
import Testing
import DeviceIdentity
@testable import Autopilot

/// A small, seeded generator (SplitMix64) for property tests: a failure names its seed and case,
/// and the same seed gives the same inputs on every machine.
struct Generator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func string(from alphabet: [Character], length: ClosedRange<Int>) -> String {
        String((0..<Int.random(in: length, using: &self)).map { _ in alphabet.randomElement(using: &self)! })
    }

    /// Any text a user may type: ASCII punctuation, quotes, backslashes, accents, CJK, emoji.
    mutating func text(length: ClosedRange<Int>) -> String {
        string(from: Array(#"abcXYZ019 -_.,;:'"\/<>&%{}[]éüßçøÅ東京데이터🙂🚀"#), length: length)
    }

    mutating func bool() -> Bool { Bool.random(using: &self) }
}

let serialAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
let cases = 300

@Suite("round trips, for random inputs")
struct RoundTripPropertyTests {
    func randomIdentity(_ random: inout Generator) -> DeviceIdentity {
        let serial = random.string(from: serialAlphabet, length: 1...20)
        var mac = (0..<6).map { _ in UInt8.random(in: 0...255, using: &random) }
        mac[0] = (mac[0] & 0xFC) | 0x02  // locally administered, unicast
        return DeviceIdentity(
            serial: serial, manufacturer: random.text(length: 1...30), product: random.text(length: 1...40),
            version: random.bool() ? random.text(length: 1...20) : nil, sku: random.bool() ? random.text(length: 1...20) : nil,
            family: random.bool() ? random.text(length: 1...20) : nil,
            uuid: UUID(uuid: (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }.withUnsafeBytes { $0.load(as: uuid_t.self) }),
            mac: MACAddress(bytes: mac)!,
            board: .init(manufacturer: random.text(length: 1...20), product: random.text(length: 1...20),
                         version: random.bool() ? random.text(length: 1...20) : nil, serial: random.string(from: serialAlphabet, length: 1...20)),
            chassis: .init(manufacturer: random.text(length: 1...20), serial: serial, type: ChassisType.allCases.randomElement(using: &random)!))
    }

    @Test func encodingAHashThenDecodingItGivesTheHardwareBack() throws {
        var random = Generator(seed: 0x5EED_0001)
        for index in 0..<cases {
            let identity = randomIdentity(&random)
            let hardware = HashedHardware(identity: identity, tpm: HashedHardware.TPMVersion.allCases.randomElement(using: &random)!,
                                          ramGB: Int.random(in: 1...4096, using: &random), diskGB: Int.random(in: 1...65536, using: &random),
                                          cpuCores: Int.random(in: 1...256, using: &random), collection: Int.random(in: 0...9, using: &random))
            let text = HardwareHashEncoder.encode(hardware)
            let hash = try HardwareHash(base64: text)
            let context = "case \(index): \(identity.serial) \(identity.manufacturer) \(identity.product)"
            #expect(hash.checksumValid, "\(context)")
            #expect(hash.serial == identity.serial, "\(context)")
            #expect(hash.manufacturer == identity.manufacturer, "\(context)")
            #expect(hash.product == identity.product, "\(context)")
            #expect(hash.sku == identity.sku, "\(context)")
            #expect(hash.family == identity.family, "\(context)")
            #expect(hash.uuid == identity.uuid, "\(context)")
            #expect(hash.macAddresses == [identity.mac], "\(context)")
            #expect(hash.ramGB == hardware.ramGB, "\(context)")
            #expect(hash.cpuCores == hardware.cpuCores, "\(context)")
            // The bytes survive base64 both ways: decoding the re-encoded bytes gives the same hash.
            #expect(Base64.encode(try Base64.decode(text)) == text, "\(context)")
        }
    }

    @Test func exportingTheRegistryThenImportingItGivesTheSameDevices() throws {
        var random = Generator(seed: 0x5EED_0002)
        let tenant = UUID()
        for index in 0..<30 {
            var serials = Set<String>()
            let rows = (0..<Int.random(in: 1...40, using: &random)).compactMap { row -> CSVDevice? in
                let identity = randomIdentity(&random)
                guard serials.insert(identity.serial).inserted, !PlaceholderSerial.isPlaceholder(identity.serial) else { return nil }
                let hash = HardwareHashEncoder.encode(HashedHardware(identity: identity, tpm: .v2_0))
                // Cells are read trimmed (as Intune reads them), so a tag never starts or ends with a space.
                let tag = random.bool() ? random.string(from: Array("ABCxyz019 -_.:@()"), length: 1...30)
                    .trimmingCharacters(in: .whitespaces) : nil
                let user = random.bool() ? random.string(from: Array("abcxyz019"), length: 1...12) + "@contoso.com" : nil
                return CSVDevice(line: row + 2, serialNumber: identity.serial, hardwareHash: hash, groupTag: tag, assignedUser: user)
            }
            var counter = 0
            let registered = try Registration.register(rows, source: "in.csv", tenant: tenant, existing: [], at: Date(),
                                                       makeID: { counter += 1; return "z\(counter)" })
            let again = try AutopilotCSV.read(AutopilotCSV.write(registered), source: "case-\(index).csv")
            #expect(again.map(\.serialNumber) == rows.map(\.serialNumber), "case \(index)")
            #expect(again.map(\.hardwareHash) == rows.map(\.hardwareHash), "case \(index)")
            #expect(again.map { $0.groupTag ?? "" } == rows.map { $0.groupTag ?? "" }, "case \(index)")
            #expect(again.count == rows.count)
            #expect(again.map(\.assignedUser) == rows.map(\.assignedUser), "case \(index)")
        }
    }

    @Test func aProfileSurvivesItsGraphJSON() throws {
        var random = Generator(seed: 0x5EED_0003)
        for index in 0..<cases {
            let created = Date(timeIntervalSince1970: Double(Int.random(in: 1_500_000_000_000...1_900_000_000_000, using: &random)) / 1000)
            let join: DeploymentProfile.Join = random.bool() ? .entra : .hybrid(.init(
                skipConnectivityCheck: random.bool(), domainName: random.text(length: 1...30),
                organizationalUnit: random.bool() ? random.text(length: 1...60) : nil,
                computerNamePrefix: random.text(length: 1...10), randomSuffixLength: Int.random(in: 1...14, using: &random)))
            let profile = DeploymentProfile(
                id: UUID().uuidString.lowercased(), displayName: random.text(length: 1...50),
                description: random.bool() ? random.text(length: 1...80) : nil, language: random.bool() ? "os-default" : "de-DE",
                deviceNameTemplate: random.bool() ? random.text(length: 1...15) : nil,
                deviceType: DeploymentProfile.DeviceType.allCases.randomElement(using: &random)!,
                enableWhiteGlove: random.bool(), extractHardwareHash: random.bool(),
                outOfBoxExperienceSettings: OutOfBoxExperienceSettings(
                    hidePrivacySettings: random.bool(), hideEULA: random.bool(),
                    userType: OutOfBoxExperienceSettings.UserType.allCases.randomElement(using: &random)!,
                    deviceUsageType: OutOfBoxExperienceSettings.DeviceUsageType.allCases.randomElement(using: &random)!,
                    skipKeyboardSelectionPage: random.bool(), hideEscapeLink: random.bool()),
                join: join, createdDateTime: created, lastModifiedDateTime: created.addingTimeInterval(Double(Int.random(in: 0...99_999, using: &random))),
                roleScopeTagIds: ["0"], assignments: (0..<Int.random(in: 0...3, using: &random)).map { _ in random.text(length: 1...20) },
                exclusions: (0..<Int.random(in: 0...2, using: &random)).map { _ in random.text(length: 1...20) })
            let decoded = try JSONDecoder().decode(DeploymentProfile.self, from: profile.graphJSON())
            #expect(decoded == profile, "case \(index): \(String(decoding: profile.graphJSON(), as: UTF8.self).prefix(400))")
        }
    }
}

@Suite("membership rules, for random rules")
struct MembershipRulePropertyTests {
    typealias Expression = MembershipRule.Expression

    /// A random rule of at most `depth` levels.
    func expression(_ random: inout Generator, depth: Int) -> Expression {
        let leaf = depth == 0 || Int.random(in: 0...2, using: &random) == 0
        if leaf {
            let op = MembershipRule.Operator.allCases.randomElement(using: &random)!
            let value: MembershipRule.Value = switch op {
            case .in, .notIn: .list((0..<Int.random(in: 0...3, using: &random)).map { _ in self.value(&random) })
            // Patterns from characters that are never a regular-expression error (an empty pattern is one).
            case .match, .notMatch: .pattern(RulePattern(random.string(from: Array("ABCxyz019 -_.:@,é東^$"), length: 1...20))!)
            default: Int.random(in: 0...9, using: &random) == 0 && (op == .eq || op == .ne) ? .null : .string(self.value(&random))
            }
            if Int.random(in: 0...1, using: &random) == 0 {
                let property = MembershipRule.Property.allCases.filter(\.isCollection).randomElement(using: &random)!
                return .quantified(property: property, all: random.bool(), op: op, value: value)
            }
            let property = MembershipRule.Property.allCases.filter { !$0.isCollection }.randomElement(using: &random)!
            return .compare(property: property, op: op, value: value)
        }
        switch Int.random(in: 0...2, using: &random) {
        case 0: return .and(expression(&random, depth: depth - 1), expression(&random, depth: depth - 1))
        case 1: return .or(expression(&random, depth: depth - 1), expression(&random, depth: depth - 1))
        default: return .not(expression(&random, depth: depth - 1))
        }
    }

    func value(_ random: inout Generator) -> String {
        random.string(from: Array("ABCxyz019 -_.:[]()@,é東"), length: 0...20)
    }

    /// Entra's syntax, with keywords in random case and random spacing; every operand in parentheses.
    func render(_ expression: Expression, _ random: inout Generator) -> String {
        func keyword(_ word: String) -> String {
            String(word.map { random.bool() ? Character($0.uppercased()) : $0 })
        }
        func space() -> String { String(repeating: " ", count: Int.random(in: 1...3, using: &random)) }
        func value(_ value: MembershipRule.Value) -> String {
            switch value {
            case .null: return keyword("null")
            case .string(let text): return "\"\(text)\""
            case .pattern(let pattern): return "\"\(pattern.text)\""
            case .list(let items): return "[" + items.map { "\"\($0)\"" }.joined(separator: ",\(space())") + "]"
            }
        }
        switch expression {
        case .and(let left, let right):
            return "(\(render(left, &random)))\(space())\(keyword("-and"))\(space())(\(render(right, &random)))"
        case .or(let left, let right):
            return "(\(render(left, &random)))\(space())\(keyword("-or"))\(space())(\(render(right, &random)))"
        case .not(let inner):
            return "\(keyword("-not"))\(space())(\(render(inner, &random)))"
        case .compare(let property, let op, let operand):
            return "\(keyword("device.\(property.rawValue)"))\(space())\(keyword(op.rawValue))\(space())\(value(operand))"
        case .quantified(let property, let all, let op, let operand):
            return "\(keyword("device.\(property.rawValue)"))\(space())\(keyword(all ? "-all" : "-any"))\(space())"
                + "(_\(space())\(keyword(op.rawValue))\(space())\(value(operand)))"
        }
    }

    @Test func aRuleParsesBackToWhatWasWritten() throws {
        var random = Generator(seed: 0x5EED_0004)
        for index in 0..<1_000 {
            let written = expression(&random, depth: 4)
            let text = render(written, &random)
            let rule = try MembershipRule(text)
            #expect(rule.expression == written, "case \(index): \(text)")
            // Stored as JSON (its text) and read back, it is the same rule.
            #expect(try JSONDecoder().decode(MembershipRule.self, from: JSONEncoder().encode(rule)) == rule, "case \(index)")
        }
    }
}
