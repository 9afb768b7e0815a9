public import Foundation
import DeviceIdentity

/// One device row of a hardware-hash CSV.
public struct CSVDevice: Equatable, Sendable {
    /// The line the row is on (the header is line 1).
    public var line: Int
    public var serialNumber: String
    public var windowsProductID: String
    /// Padded base64, or nil for a partner tuple row (serial + manufacturer + model).
    public var hardwareHash: String?
    public var groupTag: String?
    public var assignedUser: String?
    public var manufacturer: String?
    public var model: String?

    public init(line: Int, serialNumber: String, windowsProductID: String = "", hardwareHash: String?,
                groupTag: String? = nil, assignedUser: String? = nil, manufacturer: String? = nil, model: String? = nil) {
        self.line = line
        self.serialNumber = serialNumber
        self.windowsProductID = windowsProductID
        self.hardwareHash = hardwareHash
        self.groupTag = groupTag
        self.assignedUser = assignedUser
        self.manufacturer = manufacturer
        self.model = model
    }
}

/// One problem with a CSV import: the line, the column and what is wrong.
public struct CSVProblem: Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    /// The column's header name, when the problem is in one column.
    public let column: String?
    public let message: String

    public init(line: Int, column: String?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        "line \(line)" + (column.map { ", column '\($0)'" } ?? "") + ": \(message)"
    }
}

/// A CSV import that registered nothing, with every problem found.
public struct CSVImportError: Error, Sendable, CustomStringConvertible {
    public let source: String
    public let problems: [CSVProblem]

    public init(source: String, problems: [CSVProblem]) {
        self.source = source
        self.problems = problems.sorted { $0.line < $1.line }
    }

    public var description: String {
        "\(source): nothing was imported; \(problems.count == 1 ? "1 problem" : "\(problems.count) problems"):\n"
            + problems.map { "  \(source): \($0)" }.joined(separator: "\n")
    }
}

/// Hardware-hash CSV files, as Get-WindowsAutopilotInfo writes them and Intune imports them.
///
/// Reading accepts every variant Intune does (3 columns, + Group Tag, + Assigned User, and the
/// partner form with Manufacturer name and Device model), in ASCII/ANSI, UTF-8 with or without a
/// byte-order mark, or UTF-16LE with one, with CRLF or LF line ends. Intune's rules are enforced:
/// case-sensitive headers, no extra columns, no quotes, at most 500 rows, padded base64 hashes,
/// no placeholder serials, no serial twice. Every problem is reported, with line and column.
public enum AutopilotCSV {
    /// Intune imports at most this many devices per file.
    public static let maximumRows = 500

    /// The header variants Intune accepts.
    public enum Layout: CaseIterable, Sendable {
        case hash, hashGroupTag, hashGroupTagUser, partner

        public var columns: [String] {
            let base = ["Device Serial Number", "Windows Product ID", "Hardware Hash"]
            switch self {
            case .hash: return base
            case .hashGroupTag: return base + ["Group Tag"]
            case .hashGroupTagUser: return base + ["Group Tag", "Assigned User"]
            case .partner: return base + ["Manufacturer name", "Device model"]
            }
        }
    }

    /// How strictly a file is read.
    public enum Rules: Sendable {
        /// Intune's import rules, all of them.
        case intune
        /// A field device's file as collected, to clone it: placeholder and repeated serials,
        /// unpadded hashes and long files are accepted; the format must still be right.
        case fieldCollection
    }

    /// Reads a CSV file's rows, checking every rule that needs only the file itself.
    public static func read(_ data: Data, source: String, rules: Rules = .intune) throws(CSVImportError) -> [CSVDevice] {
        var problems: [CSVProblem] = []
        guard let text = decode(data) else {
            throw CSVImportError(source: source, problems: [CSVProblem(line: 1, column: nil,
                message: "the file is not ASCII, ANSI, UTF-8 or UTF-16LE text")])
        }
        // "\r\n" is one Character in Swift, so both line ends are matched as characters.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        guard let header = lines.first else {
            throw CSVImportError(source: source, problems: [CSVProblem(line: 1, column: nil, message: "the file is empty")])
        }
        let headerCells = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let layout = Layout.allCases.first(where: { $0.columns == headerCells }) else {
            throw CSVImportError(source: source, problems: [CSVProblem(line: 1, column: nil, message: headerProblem(headerCells))])
        }
        let rows = lines.dropFirst()
        if rules == .intune && rows.count > maximumRows {
            problems.append(CSVProblem(line: maximumRows + 2, column: nil,
                                       message: "the file has \(rows.count) devices; Intune imports at most \(maximumRows) per file"))
        }
        var devices: [CSVDevice] = []
        var firstLineOfSerial: [String: Int] = [:]
        for (offset, row) in rows.enumerated() {
            let line = offset + 2
            guard let device = readRow(row, line: line, layout: layout, rules: rules, problems: &problems) else { continue }
            if rules == .intune, let earlier = firstLineOfSerial[device.serialNumber] {
                problems.append(CSVProblem(line: line, column: "Device Serial Number",
                                           message: "serial '\(device.serialNumber)' is also on line \(earlier)"))
            } else {
                firstLineOfSerial[device.serialNumber] = line
            }
            devices.append(device)
        }
        if rows.isEmpty { problems.append(CSVProblem(line: 2, column: nil, message: "the file has no device rows")) }
        guard problems.isEmpty else { throw CSVImportError(source: source, problems: problems) }
        return devices
    }

    private static func readRow(_ row: String, line: Int, layout: Layout, rules: Rules,
                                problems: inout [CSVProblem]) -> CSVDevice? {
        let columns = layout.columns
        if let quote = row.firstIndex(of: "\"") {
            let cell = row[..<quote].filter { $0 == "," }.count
            problems.append(CSVProblem(line: line, column: columns.indices.contains(cell) ? columns[cell] : nil,
                                       message: "quotes are not allowed in an Autopilot CSV"))
            return nil
        }
        let cells = row.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: .whitespaces)
        }
        guard cells.count == columns.count else {
            let detail = cells.count > columns.count ? "extra columns are not allowed" : "columns are missing"
            problems.append(CSVProblem(line: line, column: nil,
                                       message: "\(cells.count) columns where the header has \(columns.count): \(detail)"))
            return nil
        }
        let before = problems.count
        func report(_ column: Int, _ message: String) {
            problems.append(CSVProblem(line: line, column: columns[column], message: message))
        }
        let serial = cells[0]
        if serial.isEmpty {
            report(0, "the serial number is empty")
        } else if rules == .intune && PlaceholderSerial.isPlaceholder(serial) {
            report(0, "'\(serial)' is a placeholder serial; devices sharing it cannot be told apart")
        }
        if !cells[1].allSatisfy({ $0.isNumber || $0 == "-" }) {
            report(1, "'\(cells[1])' is not a Windows Product ID (digits and hyphens)")
        }
        var hash: String? = cells[2].isEmpty ? nil : cells[2]
        if let text = hash {
            if let problem = HardwareHashCheck.problem(text, requirePadding: rules == .intune) { report(2, problem); hash = nil }
        } else if layout != .partner {
            report(2, "the hardware hash is empty")
        }
        var device = CSVDevice(line: line, serialNumber: serial, windowsProductID: cells[1], hardwareHash: hash)
        switch layout {
        case .hash:
            break
        case .hashGroupTag, .hashGroupTagUser:
            device.groupTag = cells[3].isEmpty ? nil : cells[3]
            if layout == .hashGroupTagUser {
                device.assignedUser = cells[4].isEmpty ? nil : cells[4]
                if let user = device.assignedUser, !(user.contains("@") && !user.contains(" ")) {
                    report(4, "'\(user)' is not a user principal name (name@domain)")
                }
            }
        case .partner:
            device.manufacturer = cells[3].isEmpty ? nil : cells[3]
            device.model = cells[4].isEmpty ? nil : cells[4]
            if hash == nil && (device.manufacturer == nil || device.model == nil) && cells[2].isEmpty {
                report(2, "a row without a hardware hash needs Manufacturer name and Device model (tuple registration)")
            }
        }
        return problems.count == before ? device : nil
    }

    /// What is wrong with a header that matches no layout.
    private static func headerProblem(_ cells: [String]) -> String {
        let expected = Layout.allCases.map { $0.columns.joined(separator: ",") }
        for layout in Layout.allCases where layout.columns.map({ $0.lowercased() }) == cells.map({ $0.lowercased() }) {
            return "headers are case-sensitive: expected '\(layout.columns.joined(separator: ","))'"
        }
        if cells.contains(where: { $0.contains("\"") }) { return "quotes are not allowed in an Autopilot CSV (header)" }
        if cells.count > 5 { return "\(cells.count) columns: extra columns are not allowed" }
        return "the header '\(cells.joined(separator: ","))' is not one Intune accepts: " + expected.map { "'\($0)'" }.joined(separator: " or ")
    }

    /// Text from bytes: UTF-16LE or UTF-8 by byte-order mark; without one, UTF-8, else ANSI (Windows-1252).
    static func decode(_ data: Data) -> String? {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xFE]) { return String(data: Data(bytes.dropFirst(2)), encoding: .utf16LittleEndian) }
        if bytes.starts(with: [0xFE, 0xFF]) { return String(data: Data(bytes.dropFirst(2)), encoding: .utf16BigEndian) }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return String(data: Data(bytes.dropFirst(3)), encoding: .utf8) }
        return String(data: data, encoding: .utf8) ?? String(data: data, encoding: .windowsCP1252)
    }

    /// Registered devices as a CSV Intune imports: ASCII, CRLF, padded hashes. Devices registered
    /// as tuples (no hash) use the partner layout; otherwise Group Tag and Assigned User columns
    /// are added when any device has them.
    public static func write(_ devices: [RegisteredDevice]) -> Data {
        let layout: Layout
        if devices.contains(where: { $0.hardwareHash == nil }) {
            layout = .partner
        } else if devices.contains(where: { $0.assignedUser != nil }) {
            layout = .hashGroupTagUser
        } else if devices.contains(where: { $0.groupTag != nil }) {
            layout = .hashGroupTag
        } else {
            layout = .hash
        }
        var lines = [layout.columns.joined(separator: ",")]
        for device in devices {
            var cells = [device.serialNumber, device.productKey, device.hardwareHash.map(Base64Padding.padded) ?? ""]
            switch layout {
            case .hash: break
            case .hashGroupTag: cells.append(device.groupTag ?? "")
            case .hashGroupTagUser: cells += [device.groupTag ?? "", device.assignedUser ?? ""]
            case .partner: cells += [device.manufacturer ?? "", device.model ?? ""]
            }
            lines.append(cells.joined(separator: ","))
        }
        // Set-Content -Encoding Ascii writes '?' for anything outside ASCII.
        let text = lines.joined(separator: "\r\n") + "\r\n"
        return Data(text.unicodeScalars.map { $0.isASCII ? UInt8($0.value) : UInt8(ascii: "?") })
    }
}
