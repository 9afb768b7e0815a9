import Foundation
import Testing
import Autopilot
import DeviceProtocol
import TestSupport

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: Double) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

@Suite("the Autopilot profile route")
struct ProfileRouteTests {
    @Test func everyOutcome() async throws {
        try await withEndpoint { running in
            let client = running.client
            let assigned = try await client.get("/autopilot/v1/profile?serial=SALES-1")
            #expect(assigned.status == 200)
            let response = try ProtocolJSON.decoder().decode(ProfileDiscoveryResponse.self, from: assigned.body)
            #expect(response.outcome == .assigned)
            let profile = try #require(response.profile)
            #expect(profile.deploymentProfileName == "Sales")
            #expect(profile.cloudAssignedOobeConfig == 1310)
            #expect(profile.cloudAssignedTenantDomain == "contoso.onmicrosoft.com")
            #expect(profile.cloudAssignedDeviceName == "SALES-%RAND:4%")
            #expect(profile.cloudAssignedLanguage == "en-US")
            #expect(profile.cloudAssignedTenantUpn == "adele@contoso.onmicrosoft.com")
            #expect(assigned.text.contains("\"CloudAssignedOobeConfig\":1310"))

            let noProfile = try await client.get("/autopilot/v1/profile?serial=LOOSE-1")
            #expect(noProfile.json["outcome"] as? String == "no-profile")
            #expect(noProfile.json["eventId"] as? Int == 815)

            let unregistered = try await client.get("/autopilot/v1/profile?serial=NEW-1")
            #expect(unregistered.json["outcome"] as? String == "not-registered")
            #expect(unregistered.json["eventId"] as? Int == 807)

            try running.endpoint.lab.store.register([RegisteredDevice(id: "x", tenantID: UUID(), serialNumber: "ELSEWHERE",
                                                                       hardwareHash: nil, registeredAt: Date(), source: "t")])
            let foreign = try await client.get("/autopilot/v1/profile?serial=ELSEWHERE")
            #expect(foreign.json["outcome"] as? String == "other-tenant")
            #expect((foreign.json["message"] as? String)?.contains("belongs to another organization") == true)

            #expect(try await client.get("/autopilot/v1/profile").status == 400)
        }
    }

    @Test func assigningComesWithRetryAfter() async throws {
        let clock = TestClock()
        let lab = endpointLab.replacingOccurrences(of: "domain: contoso.onmicrosoft.com }",
                                                   with: "domain: contoso.onmicrosoft.com, assignmentDelay: 45s }")
        let running = try await RunningEndpoint.start(lab: lab, clock: { clock.now })
        defer { Task { try await running.stop() } }
        let first = try await running.client.get("/autopilot/v1/profile?serial=SALES-2")
        #expect(first.json["outcome"] as? String == "assigning")
        #expect(first.header("retry-after") == "45")
        clock.advance(45)
        #expect(try await running.client.get("/autopilot/v1/profile?serial=SALES-2").json["outcome"] as? String == "assigned")
    }

    @Test func theHashIsCheckedAndRecorded() async throws {
        try await withEndpoint { running in
            let lab = running.endpoint.lab
            let device = lab.labFile.devices.first { $0.name == "sales-1" }!
            let fresh = lab.labFile.hardwareHash(of: device, collection: 3)
            let encoded = fresh.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(try await running.client.get("/autopilot/v1/profile?serial=SALES-1&hash=\(encoded)").status == 200)
            #expect(try lab.store.device(named: "sales-1")?.lastHash == fresh)
            let wrong = try await running.client.get("/autopilot/v1/profile?serial=SALES-2&hash=\(encoded)")
            #expect(wrong.status == 400)
            #expect((wrong.json["error"] as? [String: Any])?["field"] as? String == "hash")
            #expect(try await running.client.get("/autopilot/v1/profile?serial=SALES-2&hash=bm90IGEgaGFzaA").status == 400)
        }
    }
}
