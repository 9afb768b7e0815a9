import Foundation

/// The iPXE scripts pxelab serves, read from `Images/ipxe/` (iPXE syntax with `{{name}}`
/// placeholders), not written in Swift.
struct IPXETemplates: Sendable {
    let boot: String
    let oobe: String
    let desktop: String
    let unknown: String

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
        oobe = try read("oobe")
        desktop = try read("desktop")
        unknown = try read("unknown")
    }

    /// Fills a template's `{{name}}` placeholders. Values are made safe for iPXE: `$` would
    /// start a settings expansion and control characters would end the line, so both become `_`.
    static func render(_ template: String, _ values: [String: String]) -> String {
        // Byte by byte over UTF-8: `{{`, `}}`, `$` and control characters are all ASCII, so
        // neither a placeholder nor a replacement can fall inside a multi-byte character.
        let bytes = Array(template.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 256)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "{"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{"),
               let close = closing(in: bytes, from: index + 2) {
                let key = String(decoding: bytes[(index + 2)..<close], as: UTF8.self)
                for byte in (values[key] ?? "").utf8 {
                    output.append(byte == UInt8(ascii: "$") || byte < 0x20 || byte == 0x7F ? UInt8(ascii: "_") : byte)
                }
                index = close + 2
            } else {
                output.append(bytes[index])
                index += 1
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
