import Foundation
import GRDB

/// Group commit: writes that arrive while another is being committed share the next transaction.
///
/// SQLite has one writer. When many requests write at once (a fleet reporting events), each in
/// its own transaction, they queue for the writer one by one and each pays for a transaction and
/// a thread hand-off. Here the first caller becomes the leader: it takes every write waiting,
/// runs them in one transaction, each in its own savepoint (a write that throws is rolled back
/// alone and gets its error; the others commit), wakes their callers once the transaction has
/// committed, and hands the lead to the first caller still waiting, so that nobody leads for
/// longer than their own group. Callers block, as with `database.write`, and return only after
/// their write is durable as any other transaction; or they ``submit(_:failed:)`` a one-statement
/// write (which needs no savepoint: SQLite undoes a failed statement alone) and go on at once,
/// and a background thread commits it with a later group: submitted writes (a boot storm's
/// records) gather for ``submitWindow`` before the background thread starts a group, instead of
/// waking it for every few of them, and a caller that waits for its own write starts the group at
/// once. Groups commit in the order their writes arrived; writes made with `database.write`
/// directly are not ordered with them.
final class GroupCommit: @unchecked Sendable {
    private let database: any DatabaseWriter
    private let lock = NSLock()
    private var waiting: [Write] = []
    private var state = State.idle

    private enum State {
        /// Nothing waits.
        case idle
        /// Submitted writes wait for the background thread, due within the window.
        case gathering
        /// A caller or the background thread commits a group (the background thread goes on until
        /// nothing waits), or a waiting caller is being handed the lead.
        case leading
    }

    /// How long submitted writes gather before the background thread starts their group.
    static let submitWindow = DispatchTimeInterval.milliseconds(2)

    /// Leads the groups of submitted writes when no caller is waiting to.
    private static let background = DispatchQueue(label: "pxelab.store.group-commit")

    /// One caller's write and, once done, its result.
    private final class Write: @unchecked Sendable {
        let work: (Database) throws -> Any
        /// For a submitted write: told its error, as nobody waits for it.
        let failed: (@Sendable (any Error) -> Void)?
        var result: Result<Any, any Error>?
        /// For a waited-for write: signalled once `result` is set, or when its caller is to lead.
        let done: DispatchSemaphore?
        /// Set before `done` is signalled when the caller is handed the lead.
        var leads = false
        init(_ work: @escaping (Database) throws -> Any, failed: (@Sendable (any Error) -> Void)? = nil) {
            self.work = work
            self.failed = failed
            self.done = failed == nil ? DispatchSemaphore(value: 0) : nil
        }
    }

    init(database: any DatabaseWriter) {
        self.database = database
    }

    /// How many writes wait for a group to take them.
    var waitingCount: Int { lock.withLock { waiting.count } }

    /// Runs `work` in a transaction shared with the writes waiting alongside it.
    func write<T>(_ work: @escaping (Database) throws -> T) throws -> T {
        let mine = Write { try work($0) }
        lock.lock()
        waiting.append(mine)
        if state == .leading {
            lock.unlock()
            mine.done?.wait()
            if mine.leads { lead(caller: true) }
        } else {
            state = .leading  // also takes over gathered submitted writes
            lock.unlock()
            lead(caller: true)
        }
        return try mine.result!.get() as! T
    }

    /// Queues `work`, one SQL statement, for the next group and returns at once; `failed` gets its
    /// error if it is not committed. A later write, submitted or waited for, commits with it or
    /// after it.
    func submit(_ work: @escaping (Database) throws -> Void, failed: @escaping @Sendable (any Error) -> Void) {
        let mine = Write({ try work($0) }, failed: failed)
        lock.lock()
        waiting.append(mine)
        guard state == .idle else {
            lock.unlock()
            return
        }
        state = .gathering
        lock.unlock()
        Self.background.asyncAfter(deadline: .now() + Self.submitWindow) {
            self.lock.lock()
            guard self.state == .gathering else {  // a waiting caller took them
                self.lock.unlock()
                return
            }
            self.state = .leading
            self.lock.unlock()
            self.lead(caller: false)
        }
    }

    /// Commits the writes waiting as one group and wakes their callers. A caller leads that one
    /// group, its own write in it, then hands the lead to the first caller still waiting (or to
    /// the background thread if only submitted writes wait); the background thread leads until
    /// nothing waits.
    private func lead(caller: Bool) {
        while true {
            lock.lock()
            let batch = waiting
            waiting = []
            if batch.isEmpty {
                state = .idle
                lock.unlock()
                return
            }
            lock.unlock()
            commit(batch)
            guard caller else { continue }
            lock.lock()
            if waiting.isEmpty {
                state = .idle
                lock.unlock()
            } else if let next = waiting.first(where: { $0.done != nil }) {
                next.leads = true
                lock.unlock()
                next.done?.signal()
            } else {
                lock.unlock()
                Self.background.async { self.lead(caller: false) }
            }
            return
        }
    }

    /// Runs a group in one transaction, sets each write's result and tells its caller.
    private func commit(_ batch: [Write]) {
        do {
            try database.write { db in
                for write in batch {
                    // SQLite gives up the whole transaction on some errors (a full disk): what
                    // follows must not run outside it, committed one statement at a time.
                    guard db.isInsideTransaction else {
                        write.result = .failure(DatabaseError(resultCode: .SQLITE_ABORT, message: "the transaction was rolled back"))
                        continue
                    }
                    do {
                        if write.failed != nil {
                            // A submitted write is one statement, which SQLite undoes alone if it fails.
                            write.result = .success(try write.work(db))
                        } else {
                            try db.inSavepoint {
                                write.result = .success(try write.work(db))
                                return .commit
                            }
                        }
                    } catch {
                        write.result = .failure(error)
                    }
                }
            }
        } catch {
            // The transaction itself failed: nothing in it was committed. SQLite gives up the
            // whole transaction when a write finds the disk full or cannot do its I/O; that
            // write's error says why better than the abort the others see afterwards.
            let cause = batch.lazy.compactMap { write -> (any Error)? in
                guard case .failure(let failure as DatabaseError) = write.result else { return nil }
                return failure
            }.first ?? error
            for write in batch {
                if case .failure(_ as DatabaseError) = write.result { continue }
                write.result = .failure(cause)
            }
        }
        for write in batch {
            if let failed = write.failed {
                if case .failure(let error) = write.result { failed(error) }
            } else {
                write.done?.signal()
            }
        }
    }
}
