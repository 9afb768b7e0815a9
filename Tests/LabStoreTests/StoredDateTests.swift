import Foundation
import Testing
import GRDB
@testable import LabStore

@Suite("the lab store: dates as GRDB stores them")
struct StoredDateTests {
    @Test func theTextIsGRDBsOwn() {
        var generator = SystemRandomNumberGenerator()
        // -1509870475.0225 and -1632247361.7275: half a millisecond before 1970, which rounds up.
        let edges: [Double] = [0, 0.001, 0.999, 0.9999, -0.001, -86_400.5, 1_800_000_000.125, 253_402_300_799.999,
                               -1_509_870_475.0225, -1_632_247_361.7275, -0.0005, 0.0005]
        let random = (0..<20_000).map { _ in Double.random(in: -2_000_000_000...5_000_000_000, using: &generator) }
        for seconds in edges + random {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(StoredDate.text(date) == String.fromDatabaseValue(date.databaseValue), "\(seconds)")
        }
    }
}
