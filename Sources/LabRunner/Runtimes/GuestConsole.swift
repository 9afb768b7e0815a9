import Foundation

/// A real VM's serial console log (QEMU appends to console/<device>.log), read from where an
/// operation began: a guest kernel that panics, or a kernel Secure Boot refuses, never reaches
/// the endpoint, so the console is the only place that says so.
struct GuestConsole {
    let path: String
    private var offset: UInt64
    /// The end of the last read when it fell inside a line.
    private var partialLine = Data()

    /// How a boot ended on the console before the agent could say anything.
    enum Stop: Equatable {
        /// The kernel gave up (`panic()` in kernel/panic.c).
        case panic(String)
        /// Secure Boot refused to run code that is not signed by a key it trusts: GRUB's shim
        /// verifier (a kernel), GRUB's own module check, or shim (a loader).
        case refusedUnsigned(String)
    }

    /// What each stop prints, and whether it is a Secure Boot refusal (else a panic).
    static let markers: [(text: Data, refusal: Bool)] = [
        (Data("Kernel panic - not syncing".utf8), false),
        (Data("bad shim signature".utf8), true),
        (Data("prohibited by secure boot policy".utf8), true),
        (Data("Verification failed: (0x1A) Security Violation".utf8), true),
    ]

    /// Starts at the log's current end: what earlier boots printed is not this operation's.
    init(path: String) {
        self.path = path
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value
        offset = size ?? 0
    }

    /// The line of a kernel panic or a Secure Boot refusal printed since the last call, or nil.
    /// A log not written yet (the VM not started) or truncated (the domain defined again) is read
    /// from its start.
    mutating func stop() -> Stop? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        guard let end = try? file.seekToEnd() else { return nil }
        if end < offset { offset = 0; partialLine.removeAll() }
        guard end > offset else { return nil }
        do {
            try file.seek(toOffset: offset)
            let chunk = try file.read(upToCount: Int(end - offset)) ?? Data()
            offset += UInt64(chunk.count)
            var text = partialLine
            text.append(chunk)
            let lastNewline = text.lastIndex(of: UInt8(ascii: "\n"))
            partialLine = lastNewline.map { Data(text[text.index(after: $0)...]) } ?? text
            for (marker, refusal) in Self.markers {
                guard let found = text.range(of: marker) else { continue }
                let lineStart = text[..<found.lowerBound].lastIndex(of: UInt8(ascii: "\n")).map { text.index(after: $0) } ?? text.startIndex
                let lineEnd = text[found.lowerBound...].firstIndex(of: UInt8(ascii: "\n")) ?? text.endIndex
                let line = String(decoding: text[lineStart..<lineEnd], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                return refusal ? .refusedUnsigned(line) : .panic(line)
            }
            return nil
        } catch {
            return nil  // unreadable for now: the operation's timeout still ends a VM that never starts
        }
    }
}
