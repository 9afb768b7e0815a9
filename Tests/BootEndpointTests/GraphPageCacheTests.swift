import Foundation
import Testing
@testable import BootEndpoint
@testable import GraphAPI
import LabStore
import TestSupport

/// Pages of identities kept as rendered: answered again while nothing they were built from
/// changed, and built again once the store (from this process or another), the configuration
/// or the clock says otherwise.
@Suite("the Graph door: kept pages of identities")
struct GraphPageCacheTests {
    static let identities = "/beta/deviceManagement/windowsAutopilotDeviceIdentities"

    @Test func aKeptPageIsAnsweredUntilTheStoreTheConfigurationOrTheClockChangesIt() async throws {
        let clock = TestClock()
        let running = try await startEndpoint(tenant: "assignmentDelay: 30s", clock: clock)
        let token = running.endpoint.graphToken
        let pages = running.endpoint.graph.renderedPages
        func rows() async throws -> [String: [String: Any]] {
            let page = try await running.client.get(Self.identities, token: token)
            #expect(page.status == 200)
            return Dictionary(uniqueKeysWithValues: (page.json["value"] as? [[String: Any]] ?? []).compactMap { row in
                (row["serialNumber"] as? String).map { ($0, row) }
            })
        }
        // The first read stores the assignments it resolved (a commit), the second keeps its page.
        _ = try await rows()
        #expect(try await rows()["SALES-1"]?["deploymentProfileAssignmentStatus"] as? String == "pending")
        let before = pages.hitCount
        #expect(try await rows()["SALES-1"]?["deploymentProfileAssignmentStatus"] as? String == "pending")
        #expect(pages.hitCount == before + 1)

        // The clock: the assignment delay ends.
        clock.advance(30)
        #expect(try await rows()["SALES-1"]?["deploymentProfileAssignmentStatus"] as? String == "assignedInSync")

        // The store, changed by another connection (another process, such as a `pxelab` command).
        _ = try await rows()
        let other = try LabStore(path: running.endpoint.lab.directory.path(LabStore.fileName()))
        var registration = try #require(try other.registeredDevices(serial: "LOOSE-1").first)
        registration.groupTag = "Elsewhere"
        try other.replaceRegistrations(ofSerials: ["LOOSE-1"], with: [registration])
        #expect(try await rows()["LOOSE-1"]?["groupTag"] as? String == "Elsewhere")

        // The configuration: a group tag through Graph moves the device out of the Sales profile.
        _ = try await rows()
        let sales = try #require(try await rows()["SALES-2"]?["id"] as? String)
        #expect(try await running.client.post(Self.identities + "/\(sales)/updateDeviceProperties", json: #"{"groupTag": "Kiosk"}"#,
                                              token: token).status == 204)
        let moved = try await rows()["SALES-2"]
        #expect(moved?["groupTag"] as? String == "Kiosk")
        #expect(moved?["deploymentProfileAssignmentStatus"] as? String == "notAssigned")
        try await running.stop()
    }
}
