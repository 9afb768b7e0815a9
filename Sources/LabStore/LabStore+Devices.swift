public import Foundation
import GRDB
public import DeviceProtocol

extension LabStore {
    /// Makes the device table match the lab's devices: new ones are added in the factory state
    /// with a fresh token, identities are updated, and devices the lab no longer has are removed
    /// (with their events). Lifecycle state, tokens and sequences of the others are kept.
    public func syncDevices(_ devices: [LabDeviceRecord]) throws {
        try write { db in
            let existing = try Stored<LabDeviceRecord>.fetchAll(db).map(\.value)
            let wanted = Set(devices.map(\.name))
            for record in existing where !wanted.contains(record.name) { try Stored(record).delete(db) }
            let byName = Dictionary(uniqueKeysWithValues: existing.map { ($0.name, $0) })
            for device in devices {
                guard var current = byName[device.name] else {
                    try Stored(device).insert(db)
                    continue
                }
                let identity = (device.serial, device.mac, device.uuid, device.manufacturer, device.product, device.model)
                guard identity != (current.serial, current.mac, current.uuid, current.manufacturer, current.product,
                                   current.model) else { continue }
                (current.serial, current.mac, current.uuid, current.manufacturer, current.product, current.model) = identity
                current.updatedAt = device.updatedAt
                try Stored(current).update(db)
            }
            // On the writer, so that no load of the statuses misses what this write changed.
            self.bootStatuses.invalidate()
        }
    }

    public func devices() throws -> [LabDeviceRecord] {
        try read { db in try Stored<LabDeviceRecord>.order(Column("name")).fetchAll(db).map(\.value) }
    }

    public func device(named name: String) throws -> LabDeviceRecord? {
        try readOne { db in try Self.device(named: name, in: db) }
    }

    /// A device's row, through a statement compiled once per connection (every device request
    /// reads it).
    static func device(named name: String, in db: Database) throws -> LabDeviceRecord? {
        try Stored<LabDeviceRecord>.fetchOne(try db.cachedStatement(sql: "SELECT * FROM labDevice WHERE name = ?"), arguments: [name])?.value
    }


    /// What a device's boot script depends on (from memory once loaded; nil for no such device).
    public func bootStatus(of name: String) throws -> DeviceBootStatus? {
        if let known = bootStatuses.lookup(name) { return known }
        // Loaded on the writer, so that no lifecycle write falls between the read and the mirror,
        // and once the store has settled: the boots still gathering in the group commit committed,
        // or failed (the statuses must load from a store that refuses writes too, hence `try?`).
        try? settle()
        return try writeWithoutTransaction { db in
            if let known = bootStatuses.lookup(name) { return known }
            var loaded: [String: DeviceBootStatus] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT name, lifecycle, bootCount FROM labDevice")
            while let row = try rows.next() {
                loaded[row["name"]] = DeviceBootStatus(lifecycle: DeviceLifecycle(rawValue: row["lifecycle"]) ?? .factory,
                                                       bootCount: row["bootCount"])
            }
            bootStatuses.install(loaded)
            return loaded[name]
        }
    }

    /// A device's status when every status is in memory, without waiting for the database: nil
    /// when they are not in memory, `.some(nil)` for no such device.
    public func bootStatusInMemory(of name: String) -> DeviceBootStatus?? {
        bootStatuses.lookup(name)
    }

    /// Records that a device fetched its boot script, with the identity its firmware sent (the
    /// `/ipxe` query: `serial=...&uuid=...&mac=...`) and the address the request came from
    /// (`client`: a VM on another libvirt host comes from that host's), and returns its status with this boot
    /// counted. The boot script does not wait for the disk: the record is committed with the
    /// next group of writes, before any later write of the device (``settle()`` waits for it).
    @discardableResult
    public func recordBoot(of name: String, identity: String, client: String? = nil, at now: Date) throws -> DeviceBootStatus? {
        for _ in 0..<3 {
            if let counted = recordBootInMemory(of: name, identity: identity, client: client, at: now) { return counted }
            guard try bootStatus(of: name) != nil else { return nil }  // loads the statuses
        }
        // Emptied again and again by failing writes: the database's own count.
        guard let device = try device(named: name) else { return nil }
        submitBoot(of: name, identity: identity, client: client, at: now)
        return DeviceBootStatus(lifecycle: device.lifecycle, bootCount: device.bootCount + 1)
    }

    /// ``recordBoot(of:identity:at:)`` when every device's status is in memory, without ever
    /// waiting for the database (the boot-script route calls it on the event loop): nil when the
    /// statuses are not in memory, `.some(nil)` for no such device.
    public func recordBootInMemory(of name: String, identity: String, client: String? = nil, at now: Date) -> DeviceBootStatus?? {
        guard let counted = bootStatuses.countBoot(name) else { return nil }
        if counted != nil { submitBoot(of: name, identity: identity, client: client, at: now) }
        return counted
    }

    private func submitBoot(of name: String, identity: String, client: String?, at now: Date) {
        group.submit({ db in
            try db.cachedStatement(sql: "UPDATE labDevice SET bootCount = bootCount + 1, lastSeenAt = ?, bootIdentity = ?, bootClient = ? WHERE name = ?")
                .execute(arguments: [StoredDate.text(now), identity, client, name])
        }, failed: { [bootStatuses] _ in bootStatuses.invalidate() })
    }

    /// Returns once every write submitted before the call is committed (or has failed).
    public func settle() throws {
        try groupWrite { _ in }
    }

    /// Sets a device's lifecycle state (for actions the controller takes, such as a wipe).
    public func setLifecycle(_ lifecycle: DeviceLifecycle, of name: String, errorCode: UInt32? = nil, at now: Date) throws {
        try setLifecycle(lifecycle, of: [name], errorCode: errorCode, at: now)
    }

    /// Sets several devices' lifecycle state in one transaction.
    public func setLifecycle(_ lifecycle: DeviceLifecycle, of names: [String], errorCode: UInt32? = nil, at now: Date) throws {
        do {
            try write { db in
                let update = try db.cachedStatement(sql: "UPDATE labDevice SET lifecycle = ?, errorCode = ?, updatedAt = ? WHERE name = ?")
                for name in names {
                    try update.execute(arguments: [lifecycle.rawValue, errorCode.map { Int64($0) }, now, name])
                    bootStatuses.update(name) { $0.lifecycle = lifecycle }
                }
            }
        } catch {
            bootStatuses.invalidate()
            throw error
        }
    }

    /// Records the hardware hash a device presented, with the next group of writes (nobody waits
    /// for it; a later write of the device commits with it or after it).
    public func recordHash(_ hash: String, of name: String) {
        group.submit({ db in
            try db.cachedStatement(sql: "UPDATE labDevice SET lastHash = ? WHERE name = ?").execute(arguments: [hash, name])
        }, failed: { _ in })
    }

    // MARK: Events

    /// Appends a device's events, in one transaction: events already stored (a retry) are
    /// counted as duplicates; the next expected sequence number is stored and moves the device's
    /// lifecycle; anything else is refused and nothing of the batch is stored.
    public func appendEvents(_ events: [DeviceEvent], of name: String, at now: Date) throws -> EventReceipt {
        let receipt: EventReceipt
        do { receipt = try groupWrite { db in
            guard var device = try Self.device(named: name, in: db) else { throw EventRejection.unknownDevice(name) }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO deviceEvent (device, seq, time, receivedAt, phase, step, status, errorCode, message,
                                         autopilotEvent, deviceName, kept, removed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var stored = 0
            var duplicates = 0
            let received = StoredDate.text(now)
            for event in events {
                if event.seq <= device.lastSeq {
                    guard let earlier = try Stored<StoredEvent>.fetchOne(db, key: ["device": name, "seq": event.seq])?.value else {
                        throw EventRejection.outOfOrder(expected: device.lastSeq + 1, got: event.seq)
                    }
                    guard earlier.event.sameReport(as: event) else {
                        throw EventRejection.conflicting(seq: event.seq)
                    }
                    duplicates += 1
                    continue
                }
                guard event.seq == device.lastSeq + 1 else {
                    throw EventRejection.outOfOrder(expected: device.lastSeq + 1, got: event.seq)
                }
                try insert.execute(arguments: [name, event.seq, StoredDate.text(event.time), received, event.phase.rawValue,
                                               event.step, event.status.rawValue, event.errorCode.map { Int64($0) }, event.message,
                                               event.autopilotEvent, event.deviceName, StoredAspects.text(event.kept),
                                               StoredAspects.text(event.removed)])
                device.lastSeq = event.seq
                let next = device.lifecycle.after(event)
                if next != device.lifecycle {
                    device.lifecycle = next
                    device.updatedAt = now
                }
                device.errorCode = next.errorCode(after: event, showing: device.errorCode)
                stored += 1
            }
            device.lastSeenAt = now
            try db.cachedStatement(sql: """
                UPDATE labDevice SET lastSeq = ?, lifecycle = ?, updatedAt = ?, errorCode = ?, lastSeenAt = ? WHERE name = ?
                """).execute(arguments: [device.lastSeq, device.lifecycle.rawValue, StoredDate.text(device.updatedAt),
                                          device.errorCode.map { Int64($0) }, received, name])
            self.bootStatuses.update(name) { $0.lifecycle = device.lifecycle }
            return EventReceipt(stored: stored, duplicates: duplicates, lastSeq: device.lastSeq)
        } } catch let rejection as EventRejection {
            throw rejection  // refused before anything was written
        } catch {
            bootStatuses.invalidate()
            throw error
        }
        // Whoever follows once the batch is committed gets its new events (one who subscribed just
        // after the commit may also read them from the store: twice, never missed).
        if receipt.stored > 0 && feed.isFollowed {
            let first = receipt.lastSeq - receipt.stored
            feed.publish(events.filter { $0.seq > first }.map { StoredEvent(device: name, receivedAt: now, event: $0) })
        }
        return receipt
    }

    /// A device's events in order.
    public func events(of name: String, after seq: Int = 0) throws -> [StoredEvent] {
        try read { db in
            try Stored<StoredEvent>.filter(Column("device") == name && Column("seq") > seq).order(Column("seq")).fetchAll(db).map(\.value)
        }
    }

    /// How many events are stored, for every device.
    public func eventCount() throws -> Int {
        try read { db in try Stored<StoredEvent>.fetchCount(db) }
    }

    // MARK: Discovery and conflicts

    /// Records (or counts again) a device that booted but matches no lab device.
    public func recordSeen(key: String, mac: String?, uuid: String?, serial: String?, manufacturer: String?,
                           product: String?, at now: Date) throws {
        try write { db in
            if var seen = try Stored<SeenDevice>.fetchOne(db, key: key)?.value {
                seen.lastSeen = now
                seen.count += 1
                try Stored(seen).update(db)
            } else {
                try Stored(SeenDevice(key: key, mac: mac, uuid: uuid, serial: serial, manufacturer: manufacturer, product: product,
                                      firstSeen: now, lastSeen: now, count: 1)).insert(db)
            }
        }
    }

    public func seenDevices() throws -> [SeenDevice] {
        try read { db in try Stored<SeenDevice>.order(Column("firstSeen")).fetchAll(db).map(\.value) }
    }

    /// Records a conflict once.
    public func recordConflict(identity: String, devices: [String], at now: Date) throws {
        let names = devices.sorted().joined(separator: ",")
        try write { db in
            let known = try Stored<IdentityConflict>.filter(Column("identity") == identity && Column("devices") == names).fetchCount(db)
            if known == 0 { try Stored(IdentityConflict(identity: identity, devices: names, detectedAt: now)).insert(db) }
        }
    }

    public func conflicts() throws -> [IdentityConflict] {
        try read { db in try Stored<IdentityConflict>.order(Column("detectedAt")).fetchAll(db).map(\.value) }
    }
}

/// Why an event batch was refused.
public enum EventRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownDevice(String)
    /// A gap: the device must send `expected` next.
    case outOfOrder(expected: Int, got: Int)
    /// The sequence number is stored with different content.
    case conflicting(seq: Int)

    public var description: String {
        switch self {
        case .unknownDevice(let name): "no lab device named '\(name)'"
        case .outOfOrder(let expected, let got): "event seq \(got) is out of order: the next event must have seq \(expected)"
        case .conflicting(let seq): "event seq \(seq) is already stored with different content"
        }
    }
}

extension DeviceEvent {
    /// Whether two events report the same thing (a retry), comparing times to the millisecond
    /// the store keeps.
    func sameReport(as other: DeviceEvent) -> Bool {
        seq == other.seq && phase == other.phase && step == other.step && status == other.status
            && errorCode == other.errorCode && message == other.message && autopilotEvent == other.autopilotEvent
            && deviceName == other.deviceName && kept == other.kept && removed == other.removed
            && abs(time.timeIntervalSince(other.time)) < 0.001
    }
}

extension LabStore {
    /// Each device's most recent event.
    public func latestEvents() throws -> [String: StoredEvent] {
        try read { db in
            let rows = try Stored<StoredEvent>.fetchAll(db, sql: """
                SELECT e.* FROM deviceEvent e JOIN labDevice d ON d.name = e.device AND d.lastSeq = e.seq
                """)
            return Dictionary(rows.map { ($0.value.device, $0.value) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// A device's most recent event; nil before its first.
    public func latestEvent(of name: String) throws -> StoredEvent? {
        try read { db in
            try Stored<StoredEvent>.fetchOne(
                try db.cachedStatement(sql: """
                    SELECT e.* FROM deviceEvent e JOIN labDevice d ON d.name = e.device AND d.lastSeq = e.seq WHERE d.name = ?
                    """),
                arguments: [name])?.value
        }
    }

    /// A device's events received since a moment, in order.
    public func events(of name: String, receivedSince moment: Date) throws -> [StoredEvent] {
        try read { db in
            try Stored<StoredEvent>.fetchAll(
                try db.cachedStatement(sql: "SELECT * FROM deviceEvent WHERE device = ? AND receivedAt >= ? ORDER BY seq"),
                arguments: [name, moment]).map(\.value)
        }
    }
}
