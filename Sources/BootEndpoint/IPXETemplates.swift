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
        var output = ""
        output.reserveCapacity(template.utf8.count + 256)
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let key = String(rest[open.upperBound..<close.lowerBound])
            output += safe(values[key] ?? "")
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
    }

    private static func safe(_ value: String) -> String {
        String(value.unicodeScalars.map { scalar -> Character in
            scalar == "$" || scalar.value < 0x20 || scalar.value == 0x7F ? "_" : Character(scalar)
        })
    }
}

/// The endpoint cannot start: a missing file, a bad option.
public struct EndpointSetupError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
