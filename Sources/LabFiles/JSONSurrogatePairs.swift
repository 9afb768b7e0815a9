/// JSON text made readable for libyaml: escaped UTF-16 surrogate pairs rewritten as YAML's
/// eight-digit escape.
///
/// JSON writes a character beyond U+FFFF, escaped, as a UTF-16 surrogate pair: U+1F600 is
/// `"\ud83d\ude00"`, which is what Graph and most JSON encoders send. JSON is YAML, and pxelab reads
/// JSON documents through Yams, but libyaml refuses a `\u` escape of a surrogate. YAML's own escape
/// for such a character is `\U` with eight hex digits, so each pair is rewritten to it
/// (`\U0001F600`) before parsing, and the string reads as the real character.
///
/// Only escapes inside double-quoted strings are rewritten, and only real ones: a backslash after an
/// odd run of backslashes is itself escaped (`"\\ud83d"` is a backslash and the text `ud83d`).
/// A surrogate escape that is not half of a pair (a high one, `D800`-`DBFF`, without a low one,
/// `DC00`-`DFFF`, right after it, or a low one alone) names no character; it is a ``Problem`` at
/// its line and column.
///
/// A rewritten pair is two characters shorter than the pair as written, so positions libyaml
/// reports on the rewritten text are mapped back with ``originalColumn(line:column:)``.
struct JSONSurrogatePairs {
    /// An unpaired surrogate escape.
    struct Problem: Equatable {
        /// 1-based line and column of the escape's backslash, counted as libyaml counts them (in
        /// Unicode scalars, lines broken by LF, CR, CR LF, NEL, LS and PS).
        let line: Int
        let column: Int
        let message: String
    }

    /// The text to parse: the JSON as written, each escaped surrogate pair as `\UXXXXXXXX`.
    let text: String
    /// The unpaired surrogate escapes, in text order; the text does not parse while there are any.
    let problems: [Problem]
    /// For each line with a rewritten pair: from which column of the rewritten text on how many
    /// columns were removed before it, in column order.
    private let removedColumns: [Int: [(from: Int, removed: Int)]]

    /// Whether `text` is read as JSON: its first character that is not white space is `{`.
    static func isJSON(_ text: String) -> Bool {
        text.unicodeScalars.first { !Self.isSpace($0) } == "{"
    }

    /// Rewrites the escaped surrogate pairs of `json`.
    init(json: String) {
        var scanner = Scanner(Array(json.unicodeScalars))
        scanner.run()
        text = String(scanner.output)
        problems = scanner.problems
        removedColumns = scanner.removedColumns
    }

    /// The column of the text as written for `column` of the rewritten text on `line`.
    func originalColumn(line: Int, column: Int) -> Int {
        column + (removedColumns[line]?.last { $0.from <= column }?.removed ?? 0)
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{FEFF}"
    }

    /// One pass over the text, keeping the position as written.
    private struct Scanner {
        let input: [Unicode.Scalar]
        var output = String.UnicodeScalarView()
        var problems: [Problem] = []
        var removedColumns: [Int: [(from: Int, removed: Int)]] = [:]
        private var index = 0
        private var line = 1
        private var column = 1
        /// Columns removed so far on the current line.
        private var removed = 0
        private var inString = false

        init(_ input: [Unicode.Scalar]) { self.input = input }

        mutating func run() {
            while index < input.count {
                let scalar = input[index]
                if inString && scalar == "\\" {
                    escape()
                } else {
                    if scalar == "\"" { inString.toggle() }
                    copy(1)
                }
            }
        }

        /// At a backslash inside a string: a surrogate pair is rewritten; any other escape,
        /// `\\` and `\"` included, is copied whole, so that its second character never starts
        /// or ends anything.
        private mutating func escape() {
            guard let unit = codeUnit(at: index) else { return copy(2) }
            switch unit {
            case 0xD800...0xDBFF:
                if let low = codeUnit(at: index + 6), (0xDC00...0xDFFF).contains(low) {
                    let value = 0x10000 + (UInt32(unit) - 0xD800) << 10 + (UInt32(low) - 0xDC00)
                    let digits = String(value, radix: 16, uppercase: true)
                    output.append(contentsOf: ("\\U" + String(repeating: "0", count: 8 - digits.count) + digits).unicodeScalars)
                    index += 12
                    column += 12
                    removed += 2
                    removedColumns[line, default: []].append((from: column - removed, removed: removed))
                    return
                }
                problem("\(escapeAsWritten) is the first half of a UTF-16 surrogate pair, but no second half (\\uDC00-\\uDFFF) "
                        + "follows it; a character above U+FFFF is written as a pair such as \\ud83d\\ude00")
            case 0xDC00...0xDFFF:
                problem("\(escapeAsWritten) is the second half of a UTF-16 surrogate pair, but no first half (\\uD800-\\uDBFF) "
                        + "comes before it; a character above U+FFFF is written as a pair such as \\ud83d\\ude00")
            default:
                break
            }
            copy(6)
        }

        /// The `\uXXXX` escape at the current position, as written.
        private var escapeAsWritten: String {
            "'" + String(String.UnicodeScalarView(input[index..<index + 6])) + "'"
        }

        /// The code unit of a `\uXXXX` escape at `start`, if there is one.
        private func codeUnit(at start: Int) -> UInt16? {
            guard start + 6 <= input.count, input[start] == "\\", input[start + 1] == "u" else { return nil }
            let hex = String(String.UnicodeScalarView(input[start + 2..<start + 6]))
            guard hex.unicodeScalars.allSatisfy(\.properties.isASCIIHexDigit) else { return nil }
            return UInt16(hex, radix: 16)
        }

        private mutating func problem(_ message: String) {
            problems.append(Problem(line: line, column: column, message: message))
        }

        /// Copies up to `count` scalars as written, following lines as libyaml does.
        private mutating func copy(_ count: Int) {
            for _ in 0..<count where index < input.count {
                let scalar = input[index]
                output.append(scalar)
                index += 1
                let crBeforeLF = scalar == "\r" && index < input.count && input[index] == "\n"
                if ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar) && !crBeforeLF {
                    line += 1
                    column = 1
                    removed = 0
                } else if !crBeforeLF {
                    column += 1
                }
            }
        }
    }
}
