import Foundation
import Testing
import DeviceProtocol
import LabService
import LabStore
import LabFiles
import TestSupport

/// The fleet as the dashboard follows it: one snapshot, then an update per stored event, built
/// from the event (and from the tenant once it changed), shared by every viewer.
@Suite("the live fleet")
struct LiveFleetTests {
    func event(_ seq: Int, _ phase: OOBEPhase, _ step: String, _ status: StepStatus, errorCode: UInt32? = nil) -> DeviceEvent {
        DeviceEvent(seq: seq, time: Date(), phase: phase, step: step, status: status, errorCode: errorCode)
    }

    @Test func viewersGetTheFleetThenEachEventWithTheDeviceAfterIt() async throws {
        let lab = try Lab(labFile: try LabFile.parse(serviceLab, file: "svc.yaml"), stateRoot: makeTemporaryDirectory("pxelab-live"))
        let live = LiveFleet(lab: lab)
        let (snapshot, updates) = try await live.follow()
        #expect(snapshot.map(\.name) == ["sales-1", "sales-2", "loose", "unregistered"])
        #expect(snapshot.allSatisfy { $0.outcome == .factory && $0.phase == nil })
        let (_, second) = try await live.follow()

        _ = try lab.store.appendEvents([event(1, .boot, ProtocolStep.firmware, .started)], of: "sales-1", at: Date())
        _ = try lab.store.appendEvents([event(2, .identity, ProtocolStep.outcome, .failed, errorCode: 0x80070774)],
                                       of: "sales-1", at: Date())
        var iterator = updates.makeAsyncIterator()
        let started = try #require(await iterator.next())
        #expect(started.device.outcome == .provisioning && started.device.phase == .boot)
        let failed = try #require(await iterator.next())
        #expect(failed.device.outcome == .failed)
        #expect(failed.device.errorCode == ErrorCode(0x80070774))
        #expect(failed.device.profile == "Sales")
        var other = second.makeAsyncIterator()
        #expect(await other.next()?.event.seq == 1)
        #expect(await other.next()?.device.outcome == .failed)

        // The tenant changes: the device's next update carries its new registration.
        try lab.autopilot.update(serial: "LOOSE-1", .init(groupTag: "Sales"))
        _ = try lab.store.appendEvents([event(1, .boot, ProtocolStep.firmware, .started)], of: "loose", at: Date())
        let moved = try #require(await iterator.next())
        #expect(moved.device.name == "loose")
        #expect(moved.device.groupTag == "Sales" && moved.device.profile == "Sales")
        await live.finishAll()
        #expect(await iterator.next() == nil)
    }
}
