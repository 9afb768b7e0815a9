import Foundation

/// A real VM's serial console log (QEMU appends to console/<device>.log), read from where an
/// operation began: a guest kernel that panics before the agent starts never reaches the
/// endpoint, so the console is the only place that says so.
struct GuestConsole {
    let path: String
    private var offset: UInt64
    /// The end of the last read when it fell inside a line.
    private var partialLine = Data()

    /// What the kernel prints when it gives up (`panic()` in kernel/panic.c).
    static let panicMarker = Data("Kernel panic - not syncing".utf8)

    /// Starts at the log's current end: what earlier boots printed is not this operation's.
    init(path: String) {
        self.path = path
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value
        offset = size ?? 0
    }

    /// The line of a kernel panic printed since the last call, or nil. A log not written yet (the
    /// VM not started) or truncated (the domain defined again) is read from its start.
    mutating func panicLine() -> String? {
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
            guard let found = text.range(of: Self.panicMarker) else { return nil }
            let lineStart = text[..<found.lowerBound].lastIndex(of: UInt8(ascii: "\n")).map { text.index(after: $0) } ?? text.startIndex
            let lineEnd = text[found.lowerBound...].firstIndex(of: UInt8(ascii: "\n")) ?? text.endIndex
            return String(decoding: text[lineStart..<lineEnd], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            return nil  // unreadable for now: the operation's timeout still ends a VM that never starts
        }
    }
}
