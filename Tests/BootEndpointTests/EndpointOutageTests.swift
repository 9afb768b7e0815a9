import Foundation
import Testing
import BootEndpoint
import DeviceProtocol
import LabService
import OOBEAgent
import TestSupport

/// Holds devices at the sign-in page (they ask again every 50 ms) until opened, and tells the
/// test each time one is there.
final class SignInGate: DeviceAttendant, @unchecked Sendable {
    let arrivals: AsyncStream<Void>
    private let arrived: AsyncStream<Void>.Continuation
    private let open: Bool

    init(open: Bool) {
        (arrivals, arrived) = AsyncStream<Void>.makeStream()
        self.open = open
    }

    func nextAction(for device: String, at request: NextActionRequest) async -> NextAction {
        guard request.phase == .oobePages, request.step == "sign-in", !open else { return .proceed }
        arrived.yield()
        return .wait(seconds: 0.05)
    }
}

/// The endpoint stops answering in the middle of a device's deployment: the device's agent
/// (the same code a real VM's guest runs) retries with backoff and finishes once it is back.
@Suite("the endpoint goes away for a while")
struct EndpointOutageTests {
    /// Connection attempts the device makes while the endpoint is away: 3 (under a second), or
    /// `PXELAB_SOAK_OUTAGE_ATTEMPTS` in `make soak` (12: about 15 s, the backoff at its 2 s cap).
    static let attempts = ProcessInfo.processInfo.environment["PXELAB_SOAK_OUTAGE_ATTEMPTS"].flatMap(Int.init) ?? 3

    /// A loopback port below Linux's ephemeral range (32768 and up) that nothing listens on now.
    static func freePortOutsideEphemeralRange() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<32_000)
            if !LoopbackTests.connects(to: "127.0.0.1", port: port) { return port }
        }
        throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "no free port in 20000-32000"])
    }

    @Test func aDeviceRetriesThroughTheOutageAndFinishes() async throws {
        let stateRoot = makeTemporaryDirectory("pxelab-outage")
        let gate = SignInGate(open: false)
        // A port outside the ephemeral range: once the endpoint lets go of it, no outgoing
        // connection of another test running beside this one can be given it meanwhile.
        let port = try Self.freePortOutsideEphemeralRange()
        let first = try await RunningEndpoint.start(stateRoot: stateRoot, port: port, driver: gate)
        let lab = first.endpoint.lab
        let device = try #require(lab.labFile.devices.first { $0.name == "sales-1" })
        let agent = OOBEAgent(
            endpoint: "http://127.0.0.1:\(port)",
            identity: FirmwareIdentity(device.identity),
            hardwareHash: { lab.labFile.hardwareHash(of: device, collection: $0) },
            platform: DevicePlatform(uefi: true, secureBoot: true, tpm: .declared),
            storage: FileDeviceStorage(file: stateRoot.appendingPathComponent("sales-1.json")))
        let boot = Task { await agent.boot() }

        // Part-way through (booted, profile downloaded, at the sign-in page), the endpoint stops.
        var arrivals = gate.arrivals.makeAsyncIterator()
        _ = await arrivals.next()
        let before = try lab.store.events(of: "sales-1").count
        #expect(before > 0)
        try await first.stop()

        // Nothing answers on the port; the device keeps trying.
        let dead = try await DeadListener(port: port)
        var attempts = dead.attempts.makeAsyncIterator()
        for _ in 0..<Self.attempts { _ = await attempts.next() }
        dead.close()

        // The endpoint is back, on the same port with the same state: the device carries on.
        let second = try await RunningEndpoint.start(stateRoot: stateRoot, port: port, driver: SignInGate(open: true))
        let outcome = try await withDeadline(seconds: 60) { await boot.value }
        try await second.stop()
        guard case .businessReady = outcome else {
            Issue.record("the device ended \(outcome)")
            return
        }
        let seqs = try second.endpoint.lab.store.events(of: "sales-1").map(\.seq)
        #expect(seqs.count > before)
        #expect(seqs == Array(1...seqs.count))
        #expect(try second.endpoint.lab.store.device(named: "sales-1")?.lifecycle == .deployed)
    }
}
