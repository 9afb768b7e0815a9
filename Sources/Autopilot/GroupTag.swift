/// Autopilot group tags: carried as `[OrderID]:TAG` among a device's physical ids and written into
/// hardware-hash CSV files, so they cannot hold what would break either.
public enum GroupTag {
    /// What is wrong with a tag, or nil.
    public static func problem(_ tag: String) -> String? {
        if tag.count > 128 { return "group tag '\(tag)' is longer than 128 characters" }
        if let bad = tag.first(where: { $0 == "," || $0 == "\"" || $0 == "'" || !$0.isASCII || $0.asciiValue! < 0x20 }) {
            return "group tag '\(tag)' holds '\(bad)'; commas, quotes and non-ASCII characters break CSV import"
        }
        return nil
    }
}
