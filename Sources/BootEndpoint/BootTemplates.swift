import Foundation

/// The boot loaders a lab device's network boot reaches pxelab with.
enum BootLoader: String, Sendable {
    /// iPXE (QEMU's option ROM, BIOS or UEFI without Secure Boot), over HTTP.
    case ipxe
    /// Debian's signed network GRUB after shim (UEFI Secure Boot), over TFTP.
    case grub

    /// Replaces what would let a value change a script: iPXE expands `$` settings; GRUB expands
    /// `$` variables and ends a quoted word at `"`, escapes with `\`. Control characters would
    /// end the line in both.
    func isUnsafe(_ byte: UInt8) -> Bool {
        if byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "$") { return true }
        return self == .grub && (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "'"))
    }
}

/// The boot scripts pxelab serves, read from `Images/` with `{{name}}` placeholders, not written
/// in Swift: iPXE's from `ipxe/` (over HTTP), GRUB's from `grub/` (the Secure Boot path, over
/// TFTP).
struct BootTemplates: Sendable {
    /// iPXE's bootstrap, served as it is.
    let ipxeBoot: String
    /// GRUB's bootstrap, the signed chain's `grub/grub.cfg`, with `{{tftp}}` for pxelab's TFTP server.
    let grubBoot: BootTemplate
    let ipxe: DeviceScripts
    let grub: DeviceScripts

    /// A loader's scripts for lab devices and for machines the lab does not know.
    struct DeviceScripts: Sendable {
        let oobe: BootTemplate
        let desktop: BootTemplate
        let unknown: BootTemplate
    }

    /// The scripts of one loader.
    func scripts(for loader: BootLoader) -> DeviceScripts { loader == .ipxe ? ipxe : grub }

    /// Reads the templates; a missing or malformed one is an error naming the file.
    init(images: URL) throws {
        func read(_ loader: BootLoader, _ name: String) throws -> String {
            let file = images.appendingPathComponent("\(loader.rawValue)/\(name)")
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw EndpointSetupError("cannot read the \(loader.rawValue) template \(file.path)")
            }
            if loader == .ipxe && !text.hasPrefix("#!ipxe\n") {
                throw EndpointSetupError("\(file.path) must start with '#!ipxe' on its own line, or iPXE will not run it")
            }
            return text
        }
        func scripts(_ loader: BootLoader, _ suffix: String) throws -> DeviceScripts {
            try DeviceScripts(oobe: BootTemplate(read(loader, "oobe" + suffix), for: loader),
                              desktop: BootTemplate(read(loader, "desktop" + suffix), for: loader),
                              unknown: BootTemplate(read(loader, "unknown" + suffix), for: loader))
        }
        ipxeBoot = try read(.ipxe, "boot.ipxe")
        grubBoot = BootTemplate(try read(.grub, "grub.cfg"), for: .grub)
        ipxe = try scripts(.ipxe, ".ipxe")
        grub = try scripts(.grub, ".cfg")
    }
}

/// One boot script template, split once into its text and its `{{name}}` placeholders, so that
/// a boot storm fills it without scanning it again.
struct BootTemplate: Sendable {
    private enum Piece: Sendable {
        case text([UInt8])
        case placeholder(String)
    }

    private let pieces: [Piece]
    private let textSize: Int
    private let loader: BootLoader

    /// Splits a template; a `{{` with no `}}` after it is text.
    init(_ template: String, for loader: BootLoader) {
        self.loader = loader
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
    /// made safe for the loader: what would expand or end a word or line becomes `_`.
    func render(_ value: (String) -> String?) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(textSize + 256)
        for piece in pieces {
            switch piece {
            case .text(let bytes):
                output.append(contentsOf: bytes)
            case .placeholder(let name):
                for byte in (value(name) ?? "").utf8 {
                    output.append(loader.isUnsafe(byte) ? UInt8(ascii: "_") : byte)
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
