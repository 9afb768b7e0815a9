/// A deployment profile's computer-name template, with Intune's rules.
///
/// Names are at most 15 characters of letters, digits and hyphens, not only digits, with no
/// spaces. `%SERIAL%` (upper case only) inserts the device's serial number and `%RAND:x%`
/// inserts x random digits. A serial that does not fit is cut so the name stays at 15 characters.
public struct DeviceNameTemplate: Equatable, Sendable, CustomStringConvertible {
    /// NetBIOS computer names are at most 15 characters.
    public static let maximumLength = 15

    public let template: String
    private let parts: [Part]

    enum Part: Equatable {
        case literal(String)
        case serial
        case random(Int)
    }

    /// Parses and checks a template. Throws with every rule the template breaks.
    public init(_ template: String) throws(DeviceNameTemplateError) {
        var problems: [String] = []
        var parts: [Part] = []
        var rest = Substring(template)
        var literal = ""
        while let character = rest.first {
            if character == "%" {
                guard let end = rest.dropFirst().firstIndex(of: "%") else {
                    problems.append("'%' at the end starts no macro (use %SERIAL% or %RAND:x%)")
                    break
                }
                let macro = rest[rest.index(after: rest.startIndex)..<end]
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                if macro == "SERIAL" {
                    parts.append(.serial)
                } else if macro.hasPrefix("RAND:"), let digits = Int(macro.dropFirst(5)), (1...15).contains(digits) {
                    parts.append(.random(digits))
                } else if macro != macro.uppercased()
                            && (macro.uppercased() == "SERIAL" || macro.uppercased().hasPrefix("RAND:")) {
                    problems.append("macro %\(macro)% must be written in upper case (%SERIAL%, %RAND:x%)")
                } else {
                    problems.append("%\(macro)% is not a macro; use %SERIAL% or %RAND:x% with x from 1 to 15")
                }
                rest = rest[rest.index(after: end)...]
                continue
            }
            if character == " " {
                problems.append("names cannot contain spaces")
            } else if !(character.isASCII && (character.isLetter || character.isNumber || character == "-")) {
                problems.append("'\(character)' is not allowed; names use letters, digits and hyphens")
            }
            literal.append(character)
            rest.removeFirst()
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }

        let fixedLength = parts.reduce(0) { total, part in
            switch part {
            case .literal(let text): total + text.count
            case .random(let digits): total + digits
            case .serial: total
            }
        }
        if template.isEmpty {
            problems.append("the template is empty")
        } else if fixedLength > Self.maximumLength {
            problems.append("the name would be \(fixedLength) characters before any serial; the limit is 15")
        } else if parts.contains(.serial) && fixedLength == Self.maximumLength {
            problems.append("no room is left for %SERIAL% within 15 characters")
        }
        let onlyDigits = !parts.contains(.serial) && parts.allSatisfy { part in
            switch part {
            case .literal(let text): text.allSatisfy(\.isNumber)
            case .random: true
            case .serial: false
            }
        }
        if !template.isEmpty && onlyDigits { problems.append("names cannot be only digits") }
        guard problems.isEmpty else { throw DeviceNameTemplateError(template: template, problems: problems) }
        self.template = template
        self.parts = parts
    }

    /// The computer name for a device. `randomDigit` supplies each `%RAND%` digit.
    public func name(serial: String, randomDigit: () -> Int) -> String {
        let fixedLength = parts.reduce(0) { total, part in
            switch part {
            case .literal(let text): total + text.count
            case .random(let digits): total + digits
            case .serial: total
            }
        }
        let serialRoom = max(0, Self.maximumLength - fixedLength)
        // Characters a computer name cannot hold are dropped from the serial.
        let cleanSerial = serial.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        var name = ""
        for part in parts {
            switch part {
            case .literal(let text): name += text
            case .serial: name += cleanSerial.prefix(serialRoom)
            case .random(let digits): name += (0..<digits).map { _ in String(randomDigit() % 10) }.joined()
            }
        }
        return String(name.prefix(Self.maximumLength))
    }

    public var description: String { template }
}

/// A device-name template that breaks Intune's rules.
public struct DeviceNameTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let template: String
    public let problems: [String]

    public var description: String { "device name template '\(template)': " + problems.joined(separator: "; ") }
}
