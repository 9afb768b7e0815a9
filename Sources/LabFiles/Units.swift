/// Durations written in lab files: `250ms`, `30s`, `1m30s`, `2h`, or a plain number of seconds.
enum DurationText {
    static func seconds(_ text: String) -> Double? {
        if let plain = Double(text), plain >= 0 { return plain }
        var total = 0.0
        var number = ""
        var characters = Array(text)[...]
        var sawUnit = false
        while let character = characters.first {
            if character.isNumber || character == "." {
                number.append(character)
                characters.removeFirst()
                continue
            }
            var unit = ""
            while let next = characters.first, next.isLetter {
                unit.append(next)
                characters.removeFirst()
            }
            guard let value = Double(number), value >= 0 else { return nil }
            switch unit {
            case "ms": total += value / 1000
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        return sawUnit && number.isEmpty ? total : nil
    }
}

/// Units for sizes in lab files.
enum ByteUnit: String {
    case bytes = "B", kib = "KiB", mib = "MiB", gib = "GiB", tib = "TiB", kb = "KB", mb = "MB", gb = "GB", tb = "TB"

    var multiplier: Double {
        switch self {
        case .bytes: 1
        case .kib: 1024
        case .mib: 1024 * 1024
        case .gib: 1024 * 1024 * 1024
        case .tib: 1024 * 1024 * 1024 * 1024
        case .kb: 1e3
        case .mb: 1e6
        case .gb: 1e9
        case .tb: 1e12
        }
    }

    /// Reads `4096` (in `defaultUnit`) or `4GiB`, `512 MiB`, `2.5GB`.
    static func bytes(_ text: String, defaultUnit: ByteUnit) -> Int? {
        let trimmed = text.filter { $0 != " " }
        let number = trimmed.prefix { $0.isNumber || $0 == "." }
        let unitText = trimmed.dropFirst(number.count)
        guard let value = Double(number), value >= 0 else { return nil }
        let unit = unitText.isEmpty ? defaultUnit : ByteUnit(rawValue: String(unitText))
        guard let unit else { return nil }
        return Int(value * unit.multiplier)
    }
}
