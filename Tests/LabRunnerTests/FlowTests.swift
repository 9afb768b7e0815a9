import Foundation
import Testing
import Autopilot
import DeviceProtocol
import LabController
@testable import LabService
@testable import LabRunner
import LabStore
import LabFiles
import OOBEAgent
import TestSupport

@Suite("lifecycle flows")
struct FlowTests {
    func running(_ text: String) async throws -> RunningLab {
        let running = try await RunningLab.open(labFile: try LabFile.parse(text, file: "flows.yaml"),
                                                stateRoot: makeTemporaryDirectory("pxelab-flows"),
                                                options: .init(imagesDirectory: images, timing: LabTiming(scale: 0)))
        try await running.fleet.factoryReset()
        return running
    }

    let lab = """
    lab: f
    models:
      laptop: { manufacturer: Contoso, product: Lab Laptop }
      no-winre: { manufacturer: Contoso, product: Old Laptop, winre: false }
    fleet:
      - { model: laptop, name: a, serial: F-1 }
      - { model: laptop, name: b, serial: F-2 }
      - { model: no-winre, name: c, serial: F-3 }
    profiles: [{ displayName: All, deviceNameTemplate: "LAB-%SERIAL%", assignments: [All devices] }]
    esp: [{ displayName: ESP }]
    apps: [{ displayName: Portal }]
    policies: [{ displayName: Wi-Fi, kind: wifi }]
    """

    @Test func aResetCollectsANewHashWithTheSameSerial() async throws {
        let running = try await running(lab)
        try await running.fleet.deploy(["a"])
        let first = try #require(try running.lab.store.device(named: "a")?.lastHash)
        let reset = try await running.fleet.reset("a", remote: true)
        #expect(reset.result == .businessReady)
        let second = try #require(try running.lab.store.device(named: "a")?.lastHash)
        #expect(first != second)
        #expect(try HardwareHash(base64: first).serial == HardwareHash(base64: second).serial)
        try await running.close()
    }

    @Test func resetAndWipeKeepAndRemoveWhatWindowsDoes() async throws {
        let running = try await running(lab)
        try await running.fleet.deploy(["a", "b", "c"])
        let local = try await running.fleet.reset("a", remote: false)
        #expect(local.refused)  // no Autopilot Reset policy reaches the device
        #expect(local.message == nil || local.result == .businessReady)
        let winRE = try await running.fleet.reset("c", remote: true)
        #expect(winRE.refused)
        let code = try running.lab.store.events(of: "c").last { $0.step == "reset" && $0.status == .failed }?.errorCode
        #expect(code == 0x80070032)

        let keep = try await running.fleet.repurpose("b", wipe: .keepUserData)
        #expect(keep.result == .businessReady)
        #expect(keep.kept.contains(.userFiles))
        #expect(keep.kept.contains(.primaryUser))
        #expect(keep.removed.contains(.enrollment))
        let enrollment = try await running.fleet.repurpose("b", wipe: .keepEnrollment)
        #expect(enrollment.kept.contains(.enrollment))
        #expect(enrollment.kept.contains(.join))
        #expect(enrollment.removed.contains(.userFiles))
        #expect(!enrollment.phases.contains(.identity))  // already joined: no join this time
        try await running.close()
    }

    @Test func aBrokenDeviceIsRepairedAtTheRecoveryScreenOfTheBootThatFindsItBroken() async throws {
        let running = try await running(lab)
        try await running.fleet.deploy(["a", "b"])
        try await running.fleet.breakDevice("a", how: .corruptOS)
        _ = try await running.fleet.power("a", .reboot)  // the device damages itself and reboots into the damage
        let before = try #require(try running.lab.store.device(named: "a")).lastSeq
        let reimaged = try await running.fleet.recover("a", method: .reimage)
        #expect(reimaged.result == .businessReady)
        #expect(reimaged.boots == 2, "the broken boot, which reimages it, then the OOBE: \(reimaged)")
        let events = try running.lab.store.events(of: "a", after: before)
        // Two power-ons in all (no boot loop to find it broken first, no boot of its own for the repair).
        #expect(events.filter { $0.step == "firmware" && $0.status == .started }.count == 2)
        let failed = try #require(events.lastIndex { $0.step == "os" && $0.status == .failed })
        let wiped = try #require(events.lastIndex { $0.step == "wipe" && $0.status == .completed })
        #expect(failed < wiped, "the device shows its error before the repair")
        // A device that is not broken is left as it is: one boot, to its desktop.
        let healthy = try await running.fleet.recover("b", method: .reimage)
        #expect(healthy.result == .businessReady)
        #expect(healthy.boots == 1)
        #expect(!(try running.lab.store.events(of: "b").contains { $0.step == "wipe" }))
        try await running.close()
    }

    @Test func aRetiredDeviceGets807UntilItIsRegisteredAgain() async throws {
        let running = try await running(lab)
        try await running.fleet.deploy(["a"])
        let retired = try await running.fleet.retire("a")
        #expect(retired.result == .retired)
        #expect(retired.removed.contains(.registration))
        let orphan = try await running.fleet.repurpose("a", wipe: .full)
        #expect(orphan.result == .failed)
        #expect(try running.lab.store.events(of: "a").last { $0.step == ProtocolStep.outcome }?.autopilotEvent == 807)

        let device = try #require(running.lab.labFile.devices.first { $0.name == "a" })
        let csv = "Device Serial Number,Windows Product ID,Hardware Hash\r\nF-1,,\(running.lab.labFile.hardwareHash(of: device))\r\n"
        _ = try running.lab.autopilot.importCSV(Data(csv.utf8), source: "again.csv")
        let again = try await running.fleet.repurpose("a", wipe: .full)
        #expect(again.result == .businessReady)
        try await running.close()
    }

    @Test func flowsThroughTheAdminAPIAnswerWhenTheDeviceIsDone() async throws {
        let running = try await running(lab)
        try await running.fleet.deploy(["a"])
        let client = HTTPTestClient(port: running.port)
        let token = running.endpoint.administratorToken
        let reply = try await client.post("/api/v1/devices/a/flows/repurpose", json: #"{"wipe":"full"}"#, token: token)
        #expect(reply.status == 200)
        let result = try ProtocolJSON.decoder().decode(FlowResult.self, from: reply.body)
        #expect(result.result == .businessReady)
        #expect(result.removed.contains(.deviceName))
        #expect(try await client.post("/api/v1/devices/a/flows/teleport", json: "{}", token: token).status == 422)
        #expect(try await client.post("/api/v1/devices/a/flows/reset", json: "{}").status == 401)
        try await running.close()
    }

    @Test func theAdminAPIShowsARunningDevicesScreenAsPNG() async throws {
        let running = try await running(lab)
        let client = HTTPTestClient(port: running.port)
        let token = running.endpoint.administratorToken
        let off = try await client.get("/api/v1/devices/a/screen", token: token)
        #expect(off.status == 409)
        #expect(String(decoding: off.body, as: UTF8.self).contains("no-screen"))
        try await running.host(of: "a").perform { try $0.domain(named: "a").start() }
        let screen = try await client.get("/api/v1/devices/a/screen", token: token)
        #expect(screen.status == 200)
        #expect(screen.header("Content-Type") == "image/png")
        #expect(screen.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(try await client.get("/api/v1/devices/nobody/screen", token: token).status == 404)
        #expect(try await client.get("/api/v1/devices/a/screen").status == 401)
        try await running.close()
    }

    @Test func aSnapshotTakesTheDiskAndLifecycleAndARevertBringsThemBack() async throws {
        let running = try await running(lab)
        try await running.fleet.deploy(["a"])
        try await running.fleet.snapshot("a", as: "ready")
        let wiped = try await running.fleet.repurpose("a", wipe: .full)
        #expect(wiped.removed.contains(.deviceName))
        let off = try await running.fleet.power("a", .off)
        #expect(off.flow == .powerOff)
        try await running.fleet.revert("F-1", to: "ready")
        #expect(try running.lab.store.device(named: "a")?.lifecycle == .deployed)
        let back = try await running.fleet.power("a", .on)
        #expect(back.result == .businessReady)
        #expect(back.phases == [.boot, .desktop], "a reverted device boots to its desktop: \(back)")
        await #expect(throws: LabError.self) { try await running.fleet.revert("a", to: "never-taken") }
        try await running.close()
    }

    @Test func aStuckESPHangsUntilRecoveryClearsItsFault() async throws {
        let running = try await running(lab)
        try await running.fleet.deploy(["b"])
        try await running.fleet.breakDevice("b", how: .stuckESP)
        #expect(try running.lab.faults(of: "b").map(\.id) == ["api-stuck-esp"])
        let recovered = try await running.fleet.recover("b", method: .reimage)
        #expect(recovered.result == .businessReady, "\(recovered)")
        #expect(try running.lab.faults(of: "b").isEmpty)
        try await running.close()
    }

    @Test func oneOperationAtATimeActsOnADevice() async throws {
        let running = try await running(lab)
        let a = try running.lab.device("a")
        try await running.fleet.occupying([a]) { () async throws in
            await #expect {
                try await running.fleet.reset("a", remote: true)
            } throws: { error in
                if case LabError.deviceBusy("a") = error { return true }
                return false
            }
            // Another device is free meanwhile.
            let b = try await running.fleet.deploy("b")
            #expect(b.result == .businessReady)
        }
        #expect(try await running.fleet.deploy("a").result == .businessReady)
        try await running.close()
    }

    @Test func poweringOffLeavesTheDeviceOffAndARevertBringsBackItsErrorCode() async throws {
        let running = try await running(lab)
        try running.lab.inject(Fault(id: "join", kind: .error, phase: .identity, errorCode: 0x801C0003), into: "a")
        let failed = try await running.fleet.deploy("a")
        #expect(failed.result == .failed && failed.errorCode == ErrorCode(0x801C0003))
        try await running.fleet.snapshot("a", as: "failing")
        let off = try await running.fleet.power("a", .off)
        #expect(off.boots == 0 && off.phases.isEmpty)
        #expect(try await running.host(of: "a").perform { try !$0.domain(named: "a").isActive() })
        try running.lab.clearFaults(of: "a")
        #expect(try await running.fleet.recover("a", method: .reimage).result == .businessReady)
        try await running.fleet.revert("a", to: "failing")
        let record = try #require(try running.lab.store.device(named: "a"))
        #expect(record.lifecycle == .failed && record.errorCode == 0x801C0003)
        try await running.close()
    }
}
