import Foundation
import DeviceProtocol
import GRDB

/// A list of aspects in a column, as their names separated by commas (NULL: no list).
enum StoredAspects {
    static func text(_ aspects: [DeviceAspect]?) -> String? {
        aspects.map { $0.map(\.rawValue).joined(separator: ",") }
    }

    static func read(_ row: Row, _ column: String) throws -> [DeviceAspect]? {
        guard let text: String = row[column] else { return nil }
        return try text.split(separator: ",").map { name in
            guard let aspect = DeviceAspect(rawValue: String(name)) else {
                throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "'\(name)' is not an aspect of a device, in \(column)")
            }
            return aspect
        }
    }
}

/// An enum column, stored as its raw value.
enum StoredEnum {
    static func read<Value: RawRepresentable>(_ row: Row, _ column: String) throws -> Value where Value.RawValue == String {
        let text: String = row[column]
        guard let value = Value(rawValue: text) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "'\(text)' is not a valid \(column)")
        }
        return value
    }
}

/// Dates as GRDB stores them (`2026-11-25 09:30:00.125`, UTC), written without the
/// `DateFormatter` GRDB uses: the hot statements (every event, every boot) bind this text.
enum StoredDate {
    static func text(_ date: Date) -> String {
        // As Foundation hands the time to ICU: milliseconds since 1970 from the reference date,
        // rounded to the nearest, a half up (-0.5 ms is 0, not -1, before 1970 too).
        let milliseconds = ((date.timeIntervalSinceReferenceDate + Date.timeIntervalBetween1970AndReferenceDate) * 1000 + 0.5).rounded(.down)
        return ISO8601.format(milliseconds: Int64(milliseconds), separator: UInt8(ascii: " "), zulu: false)
    }
}
