import Foundation

/// The iPXE scripts pxelab serves, read from `Images/ipxe/` (iPXE syntax with `{{name}}`
/// placeholders), not written in Swift.
struct IPXETemplates: Sendable {
    /// The bootstrap script, served as it is.
    let boot: String
    let oobe: IPXETemplate
    let desktop: IPXETemplate
    let unknown: IPXETemplate

    /// Reads the templates; a missing or malformed one is an error naming the file.
    init(directory: URL) throws {
        func read(_ name: String) throws -> String {
            let file = directory.appendingPathComponent("\(name).ipxe")
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw EndpointSetupError("cannot read the iPXE template \(file.path)")
            }
            guard text.hasPrefix("#!ipxe\n") else {
                throw EndpointSetupError("\(file.path) must start with '#!ipxe' on its own line, or iPXE will not run it")
            }
            return text
        }
        boot = try read("boot")
        oobe = IPXETemplate(try read("oobe"))
        desktop = IPXETemplate(try read("desktop"))
        unknown = IPXETemplate(try read("unknown"))
    }
}

/// One iPXE template, split once into its text and its `{{name}}` placeholders, so that a boot
/// storm fills it without scanning it again.
struct IPXETemplate: Sendable {
    private enum Piece: Sendable {
        case text([UInt8])
        case placeholder(String)
    }

    private let pieces: [Piece]
    private let textSize: Int

    /// Splits a template; a `{{` with no `}}` after it is text.
    init(_ template: String) {
        // Byte by byte over UTF-8: `{{` and `}}` are ASCII, so neither a placeholder nor the text
        // around it can fall inside a multi-byte character.
        let bytes = Array(template.utf8)
        var pieces: [Piece] = []
        var text: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "{"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{"),
               let close = Self.closing(in: bytes, from: index + 2) {
                if !text.isEmpty { pieces.append(.text(text)) }
                text = []
                pieces.append(.placeholder(String(decoding: bytes[(index + 2)..<close], as: UTF8.self)))
                index = close + 2
            } else {
                text.append(bytes[index])
                index += 1
            }
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        self.pieces = pieces
        self.textSize = bytes.count
    }

    /// The template with each placeholder replaced by `value(name)` (empty when nil). Values are
    /// made safe for iPXE: `$` would start a settings expansion and control characters would end
    /// the line, so both become `_`.
    func render(_ value: (String) -> String?) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(textSize + 256)
        for piece in pieces {
            switch piece {
            case .text(let bytes):
                output.append(contentsOf: bytes)
            case .placeholder(let name):
                for byte in (value(name) ?? "").utf8 {
                    output.append(byte == UInt8(ascii: "$") || byte < 0x20 || byte == 0x7F ? UInt8(ascii: "_") : byte)
                }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Where the `}}` that ends a placeholder starts.
    private static func closing(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "}"), bytes[index + 1] == UInt8(ascii: "}") { return index }
            index += 1
        }
        return nil
    }
}

/// The endpoint cannot start: a missing file, a bad option.
public struct EndpointSetupError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
