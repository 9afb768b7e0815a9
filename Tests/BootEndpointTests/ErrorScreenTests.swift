import Foundation
import Testing
import BootEndpoint
import DeviceProtocol
import LabService
import OOBEAgent
import TestSupport

/// Answers as nobody at the device would, and tells the test each time the device asks on its
/// error screen; `close()` ends the telling (the device's boot ended).
final class ErrorScreenWatch: DeviceAttendant {
    let asks: AsyncStream<Void>
    private let asked: AsyncStream<Void>.Continuation

    init() {
        (asks, asked) = AsyncStream<Void>.makeStream()
    }

    func nextAction(for device: String, at request: NextActionRequest) async -> NextAction {
        if request.phase == .boot && request.step == ProtocolStep.errorScreen { asked.yield() }
        return .proceed
    }

    func close() {
        asked.finish()
    }
}

/// A device that stays on (a real VM's agent: the same code) whose deployment failed stays on its
/// error and asks the controller, as Windows waits for its user: it does not try again by itself.
@Suite("a device that stays on, on its error")
struct ErrorScreenTests {
    @Test func itWaitsForTheControllerAndCarriesOutAWipeFromThere() async throws {
        let watch = ErrorScreenWatch()
        let running = try await RunningEndpoint.start(driver: watch)
        let lab = running.endpoint.lab
        let device = try #require(lab.labFile.devices.first { $0.name == "sales-1" })
        _ = try lab.inject(Fault(id: "join", kind: .error, phase: .identity, errorCode: 0x801C0003), into: device.name)
        var agent = OOBEAgent(
            endpoint: "http://127.0.0.1:\(running.port)",
            identity: FirmwareIdentity(device.identity),
            hardwareHash: { lab.labFile.hardwareHash(of: device, collection: $0) },
            platform: DevicePlatform(uefi: true, secureBoot: true, tpm: .declared),
            storage: FileDeviceStorage(file: running.stateRoot.appendingPathComponent("sales-1.json")))
        agent.idlePoll = 0.02
        let boot = Task {
            let outcome = await agent.boot()
            watch.close()
            return outcome
        }

        var asks = watch.asks.makeAsyncIterator()
        guard await asks.next() != nil else {
            Issue.record("the device ended \(await boot.value) instead of waiting on its error")
            try await running.stop()
            return
        }
        let failed = try lab.store.events(of: device.name)
        #expect(failed.lastFailure?.errorCode == 0x801C0003)
        for _ in 0..<3 { _ = await asks.next() }
        // Asked again and again, and nothing more happened: no second attempt.
        #expect(try lab.store.events(of: device.name).map(\.seq) == failed.map(\.seq))
        #expect(try lab.store.device(named: device.name)?.lifecycle == .failed)

        // Someone wipes it: the device does so from its error, then reboots.
        try lab.store.enqueue(.wipe(keepEnrollment: false, keepUserData: false), for: device.name, at: Date())
        let outcome = try await withDeadline(seconds: 60) { await boot.value }
        try await running.stop()
        #expect(outcome == .reboot)
        #expect(try lab.store.device(named: device.name)?.lifecycle == .wiped)
    }
}
