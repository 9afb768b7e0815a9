/// One problem found in a lab file: where it is, which field, and what is wrong.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    /// The file, as given to the loader.
    public let file: String
    /// 1-based line (0 when the problem has no position, such as an unreadable file).
    public let line: Int
    /// 1-based column.
    public let column: Int
    /// The field's path in the document, such as `fleet[1].serial`.
    public let path: String
    /// What is wrong, in a user's words.
    public let message: String

    public init(file: String, line: Int, column: Int, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// `file:line:column: path: message`, the form compilers use, which editors can jump to.
    public var description: String {
        let location = line > 0 ? "\(file):\(line):\(column)" : file
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// A lab file that cannot be used, with every problem found in it.
public struct LabFileError: Error, Sendable, CustomStringConvertible {
    /// The problems, in file order.
    public let diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    public var description: String {
        let count = diagnostics.count
        let header = count == 1 ? "1 problem" : "\(count) problems"
        return "\(header) in \(diagnostics.first?.file ?? "lab file"):\n"
            + diagnostics.map { "  \($0)" }.joined(separator: "\n")
    }
}
