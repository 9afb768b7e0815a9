/// A Graph request's path: the API version and the segments after it. Segment names match
/// without regard to case (the PowerShell module sends `UpdateDeviceProperties`); a key in
/// parentheses (`profiles('id')`, `profiles(id)`) is the same as a key segment after the name,
/// and a trailing slash is ignored.
struct ODataPath: Sendable, Equatable {
    enum Version: String, Sendable, CaseIterable {
        case beta
        case v1 = "v1.0"
    }

    let version: Version
    /// The segments as sent, percent-decoded, keys split out of parentheses.
    let segments: [String]

    /// Nil for a path outside `/beta/` and `/v1.0/`.
    init?(_ path: Substring) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let first = parts.first, let version = Version(rawValue: String(first)) else { return nil }
        parts.removeFirst()
        var segments: [String] = []
        segments.reserveCapacity(parts.count + 1)
        for part in parts {
            let text = String(part).removingPercentEncoding ?? String(part)
            if text.hasSuffix(")"), let open = text.firstIndex(of: "("), open != text.startIndex {
                segments.append(String(text[..<open]))
                var key = text[text.index(after: open)..<text.index(before: text.endIndex)]
                if key.hasPrefix("'") && key.hasSuffix("'") && key.count >= 2 { key = key.dropFirst().dropLast() }
                segments.append(String(key))
            } else {
                segments.append(text)
            }
        }
        self.version = version
        self.segments = segments
    }

    /// The keys in the places of `pattern`'s `{}` when the path has the pattern's shape (names
    /// compared without case), or nil.
    func match(_ pattern: String) -> [String]? {
        let words = pattern.split(separator: "/")
        guard words.count == segments.count else { return nil }
        var keys: [String] = []
        for (word, segment) in zip(words, segments) {
            if word == "{}" {
                keys.append(segment)
            } else if word.utf8.count != segment.utf8.count || word.lowercased() != segment.lowercased() {
                return nil
            }
        }
        return keys
    }
}
