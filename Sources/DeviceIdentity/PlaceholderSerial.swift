/// Serial numbers that firmware vendors leave in SMBIOS when nobody filled the field in.
///
/// Autopilot matches devices by serial (among other fields); devices that share one of these
/// break matching and registration in the field, so the lab rejects them unless a device says it
/// reproduces that bug on purpose.
public enum PlaceholderSerial {
    /// Known placeholders, compared case-insensitively after trimming spaces.
    public static let knownValues: [String] = [
        "Default string", "To be filled by O.E.M.", "To Be Filled By O.E.M", "System Serial Number",
        "Chassis Serial Number", "Base Board Serial Number", "Not Specified", "Not Applicable", "None",
        "N/A", "OEM", "Invalid", "123456789", "0123456789", "SerialNumber", "Serial Number",
    ]

    private static let lowercased = Set(knownValues.map { $0.lowercased() })

    /// Whether a serial is empty, all zeros, or a known placeholder.
    public static func isPlaceholder(_ serial: String) -> Bool {
        let trimmed = serial.trimmingSpaces()
        if trimmed.isEmpty || trimmed.allSatisfy({ $0 == "0" }) { return true }
        return lowercased.contains(trimmed.lowercased())
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}
