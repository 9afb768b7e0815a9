import GRDB

/// A public type the store keeps in a table of its own. GRDB's record protocols stay inside this
/// module: ``Stored`` carries them for the value.
protocol StoredValue: Codable {
    static var databaseTableName: String { get }
    /// The value from its row (by default through `Codable`; hot rows are read column by column).
    init(row: Row) throws
}

extension StoredValue {
    init(row: Row) throws { self = try Decoded<Self>(row: row).value }
}

/// A value as a row of its table: fetched, inserted, updated and deleted through GRDB's records.
struct Stored<Value: StoredValue>: FetchableRecord, PersistableRecord, Codable {
    var value: Value

    init(_ value: Value) { self.value = value }

    static var databaseTableName: String { Value.databaseTableName }

    init(row: Row) throws { value = try Value(row: row) }

    init(from decoder: any Decoder) throws { value = try Value(from: decoder) }

    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// GRDB's `Codable` reading of a row.
private struct Decoded<Value: Decodable>: FetchableRecord, Decodable {
    let value: Value
    init(from decoder: any Decoder) throws { value = try Value(from: decoder) }
}
