import Foundation
import Testing
import LabStore

@Suite("the lab store: opening a new store")
struct StoreOpeningTests {
    @Test func severalOpenersOfANewStoreAllGetItMigrated() throws {
        // Each round, eight connections (as eight processes would) open the same new file at once.
        for round in 0..<10 {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-open-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = folder.appendingPathComponent("state.sqlite")
            let failures = OpenFailures()
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do { _ = try LabStore(path: path).devices() } catch { failures.add("\(error)") }
            }
            #expect(failures.all.isEmpty, "round \(round): \(failures.all)")
        }
    }
}

private final class OpenFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ failure: String) { lock.withLock { list.append(failure) } }
    var all: [String] { lock.withLock { list } }
}
