import Foundation
import Testing
import GRDB
@testable import LabStore

@Suite("the lab store: group commit")
struct GroupCommitTests {
    private func numbers() throws -> (DatabaseQueue, GroupCommit) {
        let database = try DatabaseQueue()
        try database.write { try $0.execute(sql: "CREATE TABLE t(n INTEGER)") }
        return (database, GroupCommit(database: database))
    }

    @Test func aCallerLeadsOnlyTheGroupWithItsOwnWriteInIt() throws {
        let (database, group) = try numbers()
        let (inFirst, releaseFirst, releaseSecond) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        let (firstDone, secondDone) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        Thread {
            _ = try? group.write { db in
                inFirst.signal()
                releaseFirst.wait()
                try db.execute(sql: "INSERT INTO t VALUES (1)")
            }
            firstDone.signal()
        }.start()
        inFirst.wait()
        Thread {
            _ = try? group.write { db in
                releaseSecond.wait()
                try db.execute(sql: "INSERT INTO t VALUES (2)")
            }
            secondDone.signal()
        }.start()
        let deadline = Date().addingTimeInterval(10)
        while group.waitingCount == 0 && Date() < deadline { usleep(1_000) }  // the second write is queued
        releaseFirst.signal()
        // The first caller is done once its own group is committed; it does not go on to lead
        // the second group (whose write is still waiting to be let go).
        let first = firstDone.wait(timeout: .now() + 10)
        releaseSecond.signal()
        #expect(first == .success)
        #expect(secondDone.wait(timeout: .now() + 10) == .success)
        #expect(try database.read { try Int.fetchAll($0, sql: "SELECT n FROM t ORDER BY rowid") } == [1, 2])
    }

    @Test func aWaitedWriteTakesTheSubmittedOnesWithItInOrder() throws {
        let (database, group) = try numbers()
        for number in 1...3 {
            group.submit({ db in try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [number]) }, failed: { _ in })
        }
        try group.write { db in try db.execute(sql: "INSERT INTO t VALUES (4)") }
        // Committed with the waited write, not a window later.
        #expect(try database.read { try Int.fetchAll($0, sql: "SELECT n FROM t ORDER BY rowid") } == [1, 2, 3, 4])
        #expect(group.waitingCount == 0)
    }
}
