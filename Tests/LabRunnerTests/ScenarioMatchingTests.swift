import Testing
@testable import LabRunner

@Suite("scenario expectations: matching")
struct ScenarioMatchingTests {
    @Test func globPatternsMatchDeviceNames() {
        #expect(ScenarioExecutor.matches("MKT-FLW-0003", glob: "MKT-*"))
        #expect(ScenarioExecutor.matches("MKT-FLW-0003", glob: "MKT-*-0003"))
        #expect(ScenarioExecutor.matches("MKT-FLW-0003", glob: "MKT-FLW-0003"))
        #expect(ScenarioExecutor.matches("MKT-FLW-0003", glob: "*0003"))
        #expect(!ScenarioExecutor.matches("SALES-FLW-0003", glob: "MKT-*"))
        #expect(!ScenarioExecutor.matches("MKT-1", glob: "MKT-*-2"))
        #expect(!ScenarioExecutor.matches("MKT", glob: "MKT-*"))
    }
}
