public import Foundation
import GRDB
import Autopilot
import DeviceProtocol

/// A lab's durable state: one SQLite database (through GRDB) in the lab folder, in WAL mode,
/// with versioned migrations. Every write is one transaction, so a failed request leaves
/// nothing half-applied, and everything survives a restart of the controller.
public final class LabStore: Sendable {
    /// The database. A pool (concurrent readers, one writer) on disk; a queue in memory.
    let database: any DatabaseWriter
    /// The database file (`:memory:` for a store in memory), as errors name it.
    public let path: String
    /// Device events as they are committed.
    public let feed = EventFeed()
    /// The hot writes of a running fleet (events, boots, next actions), committed in groups.
    let group: GroupCommit
    /// Each device's lifecycle and boot count, for the boot-script route.
    let bootStatuses = BootStatusMirror()
    /// A connection that only watches for commits (``commitStamp()``); nil in memory.
    let watcher: DatabaseQueue?

    /// Opens (creating if needed, owner-only) the store at a path and migrates it.
    public init(path: URL) throws {
        if !FileManager.default.fileExists(atPath: path.path) {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            // Created owner-only, and never over a file another opener has just made (Foundation's
            // createFile writes a new file and renames it over the path, under SQLite's feet).
            let descriptor = open(path.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 { close(descriptor) }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // WAL with synchronous=NORMAL: a commit survives the controller being killed (SIGKILL)
        // without an fsync per transaction; only an OS crash or power loss can lose the last
        // commits, never corrupt the database.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        self.path = path.path
        do {
            database = try Self.openMigrated(path: path.path, configuration: configuration)
        } catch let error as DatabaseError {
            throw LabStoreError(error, store: path.path)
        }
        group = GroupCommit(database: database)
        var watching = Configuration()
        watching.readonly = true
        watching.busyMode = .timeout(10)
        do {
            watcher = try DatabaseQueue(path: path.path, configuration: watching)
        } catch let error as DatabaseError {
            throw LabStoreError(error, store: path.path)
        }
    }

    /// A store in memory, for tests and throwaway runs.
    public init() throws {
        path = ":memory:"
        do {
            database = try DatabaseQueue()
            try Self.migrator.migrate(database)
        } catch let error as DatabaseError {
            throw LabStoreError(error, store: ":memory:")
        }
        group = GroupCommit(database: database)
        watcher = nil
    }

    // MARK: Access, with the store's own errors

    /// Runs a read of one statement. SQLite runs a statement on one snapshot of the database, so
    /// the read needs no transaction of its own (the hot reads of device requests save two
    /// round trips to SQLite each).
    func readOne<T>(_ work: (Database) throws -> T) throws -> T {
        try translated { try database.unsafeRead(work) }
    }

    func read<T>(_ work: (Database) throws -> T) throws -> T {
        try translated { try database.read(work) }
    }

    func write<T>(_ work: (Database) throws -> T) throws -> T {
        try translated { try database.write(work) }
    }

    func writeWithoutTransaction<T>(_ work: (Database) throws -> T) throws -> T {
        try translated { try database.writeWithoutTransaction(work) }
    }

    /// A write committed with the writes waiting beside it (``GroupCommit``).
    func groupWrite<T>(_ work: @escaping (Database) throws -> T) throws -> T {
        try translated { try group.write(work) }
    }

    /// SQLite's errors as the store's own; anything else (a rejection of the store's) as it is.
    func translated<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw LabStoreError(error, store: path)
        } catch let error as DecodingError {
            // A stored document (an action, a fault, the configuration) that does not read back.
            throw LabStoreError(refused: ProtocolJSON.problem(error), store: path)
        }
    }

    /// Opens the database and brings its schema up to date. Several processes may open a new
    /// store at once (a test and the `pxelab` it started, say): SQLite answers "database is
    /// locked" to a connection switching the new file to WAL while another does, and two openers
    /// can find the same migration missing, so that the second fails it ("table ... already
    /// exists", its transaction rolled back) once the first has committed it. Either way this
    /// opener tries again, shortly, and then finds the schema as the other left it.
    static func openMigrated(path: String, configuration: Configuration) throws -> DatabasePool {
        var attempt = 0
        while true {
            do {
                let database = try DatabasePool(path: path, configuration: configuration)
                try migrator.migrate(database)
                return database
            } catch let error as DatabaseError where attempt < 20 && [.SQLITE_BUSY, .SQLITE_ERROR].contains(error.resultCode) {
                attempt += 1
                usleep(useconds_t(5_000 * attempt))
            }
        }
    }

    /// The store of a lab folder: `state.sqlite`.
    public static func fileName() -> String { "state.sqlite" }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: registry") { db in
            try db.create(table: RegisteredDevice.databaseTableName) { table in
                table.primaryKey("id", .text)
                table.column("tenantID", .blob).notNull()
                table.column("serialNumber", .text).notNull().indexed()
                table.column("productKey", .text).notNull()
                table.column("hardwareHash", .text)
                table.column("manufacturer", .text)
                table.column("model", .text)
                table.column("groupTag", .text)
                table.column("purchaseOrderIdentifier", .text)
                table.column("assignedUser", .text)
                table.column("registeredAt", .datetime).notNull()
                table.column("source", .text).notNull()
            }
            try db.create(table: StoredAssignment.databaseTableName) { table in
                table.primaryKey("deviceID", .text)
                    .references(RegisteredDevice.databaseTableName, onDelete: .cascade)
                table.column("profileID", .text)
                table.column("since", .datetime).notNull()
            }
        }
        migrator.registerMigration("v2: devices, events, discovery, actions, configuration") { db in
            try db.create(table: LabDeviceRecord.databaseTableName) { table in
                table.primaryKey("name", .text)
                table.column("serial", .text).notNull().indexed()
                table.column("mac", .text).notNull().indexed()
                table.column("uuid", .text).notNull().indexed()
                table.column("manufacturer", .text).notNull()
                table.column("product", .text).notNull()
                table.column("model", .text).notNull()
                table.column("lifecycle", .text).notNull()
                table.column("errorCode", .integer)
                table.column("token", .text).notNull()
                table.column("lastSeq", .integer).notNull().defaults(to: 0)
                table.column("bootCount", .integer).notNull().defaults(to: 0)
                table.column("lastHash", .text)
                table.column("lastSeenAt", .datetime)
                table.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: StoredEvent.databaseTableName) { table in
                table.column("device", .text).notNull()
                    .references(LabDeviceRecord.databaseTableName, onDelete: .cascade)
                table.column("seq", .integer).notNull()
                table.column("time", .datetime).notNull()
                table.column("receivedAt", .datetime).notNull()
                table.column("phase", .text).notNull()
                table.column("step", .text).notNull()
                table.column("status", .text).notNull()
                table.column("errorCode", .integer)
                table.column("message", .text)
                table.primaryKey(["device", "seq"])
            }
            try db.create(table: SeenDevice.databaseTableName) { table in
                table.primaryKey("key", .text)
                table.column("mac", .text)
                table.column("uuid", .text)
                table.column("serial", .text)
                table.column("manufacturer", .text)
                table.column("product", .text)
                table.column("firstSeen", .datetime).notNull()
                table.column("lastSeen", .datetime).notNull()
                table.column("count", .integer).notNull()
            }
            try db.create(table: IdentityConflict.databaseTableName) { table in
                table.column("identity", .text).notNull()
                table.column("devices", .text).notNull()
                table.column("detectedAt", .datetime).notNull()
                table.primaryKey(["identity", "devices"])
            }
            try db.create(table: PendingAction.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("device", .text).notNull().indexed()
                table.column("action", .text).notNull()
                table.column("createdAt", .datetime).notNull()
            }
            try db.create(table: StoredConfiguration.databaseTableName) { table in
                table.primaryKey("id", .integer).check { $0 == 1 }
                table.column("json", .text).notNull()
                table.column("labFingerprint", .text).notNull()
            }
        }
        migrator.registerMigration("v3: faults") { db in
            try db.create(table: StoredFault.databaseTableName) { table in
                table.column("device", .text).notNull()
                    .references(LabDeviceRecord.databaseTableName, onDelete: .cascade)
                table.column("id", .text).notNull()
                table.column("json", .text).notNull()
                table.primaryKey(["device", "id"])
            }
        }
        migrator.registerMigration("v4: enrollments") { db in
            try db.create(table: EnrollmentRecord.databaseTableName) { table in
                table.primaryKey("registration", .text)
                    .references(RegisteredDevice.databaseTableName, onDelete: .cascade)
                table.column("mdmDeviceId", .text).notNull()
                table.column("mode", .text).notNull()
                table.column("enrolledAt", .datetime).notNull()
                table.column("reenrollmentAllowed", .boolean).notNull()
            }
        }
        migrator.registerMigration("v5: boot identity") { db in
            try db.alter(table: LabDeviceRecord.databaseTableName) { table in table.add(column: "bootIdentity", .text) }
        }
        migrator.registerMigration("v6: what events say beyond their message") { db in
            try db.alter(table: StoredEvent.databaseTableName) { table in
                table.add(column: "autopilotEvent", .integer)
                table.add(column: "deviceName", .text)
                table.add(column: "kept", .text)
                table.add(column: "removed", .text)
            }
        }
        migrator.registerMigration("v7: registered device names") { db in
            try db.alter(table: RegisteredDevice.databaseTableName) { table in table.add(column: "displayName", .text) }
        }
        migrator.registerMigration("v8: registered devices' addressable user names") { db in
            try db.alter(table: RegisteredDevice.databaseTableName) { table in table.add(column: "addressableUserName", .text) }
        }
        migrator.registerMigration("v9: imported device identities") { db in
            try db.create(table: ImportedDeviceIdentity.databaseTableName) { table in
                table.primaryKey("id", .text)
                table.column("importId", .text).notNull().indexed()
                table.column("serialNumber", .text).notNull()
                table.column("productKey", .text).notNull()
                table.column("hardwareIdentifier", .text).notNull()
                table.column("groupTag", .text).notNull()
                table.column("assignedUserPrincipalName", .text).notNull()
                table.column("status", .text).notNull().indexed()
                table.column("registrationId", .text).notNull()
                table.column("errorCode", .integer).notNull()
                table.column("errorName", .text).notNull()
                table.column("uploadedAt", .datetime).notNull()
                table.column("processAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v10: the Autopilot sync") { db in
            try db.create(table: AutopilotSync.databaseTableName) { table in
                table.column("lastManualSyncTrigger", .datetime).notNull()
                table.column("completes", .datetime).notNull()
            }
        }
        migrator.registerMigration("v11: the health devices report when they enroll") { db in
            try db.alter(table: EnrollmentRecord.databaseTableName) { table in table.add(column: "health", .text) }
        }
        migrator.registerMigration("v12: where boot requests come from") { db in
            try db.alter(table: LabDeviceRecord.databaseTableName) { table in table.add(column: "bootClient", .text) }
        }
        return migrator
    }
}

extension RegisteredDevice: StoredValue {
    static let databaseTableName = "registeredDevice"
}

/// A device's profile assignment as stored.
struct StoredAssignment: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "profileAssignment"
    var deviceID: String
    var profileID: String?
    var since: Date
}
