internal import CLibXML2

/// A document that libxml2 could not parse, with the position libxml2 reported.
public struct XMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name or label given to the parser.
    public let source: String
    /// 1-based line of the problem.
    public let line: Int
    /// 1-based column of the problem (0 when libxml2 did not report one).
    public let column: Int
    /// libxml2's message.
    public let message: String

    public init(source: String, line: Int, column: Int, message: String) {
        self.source = source
        self.line = line
        self.column = column
        self.message = message
    }

    init(lastErrorOf context: xmlParserCtxtPtr, source: String) {
        guard let error = xmlCtxtGetLastError(context) else {
            self.init(source: source, line: 0, column: 0, message: "unreadable XML")
            return
        }
        let message = error.pointee.message.map { String(cString: $0) } ?? "unreadable XML"
        self.init(source: source, line: Int(error.pointee.line), column: Int(error.pointee.int2),
                  message: message.trimmingTrailingNewlines())
    }

    public var description: String { "\(source):\(line):\(column): \(message)" }
}

private extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}
