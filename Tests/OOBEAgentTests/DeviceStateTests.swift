import Foundation
import Testing
import DeviceProtocol
import OOBEAgent

@Suite("device state on disk")
struct DeviceStateTests {
    @Test func aStateWrittenByAnOlderAgentStillLoads() throws {
        // An early agent's file: most fields missing.
        let old = #"{"eventSeq": 41, "hashCollection": 2, "businessReady": true, "deviceName": "LAB-1", "join": {"entra": {"deviceID": "x"}}}"#
        let state = try ProtocolJSON.decoder().decode(DeviceState.self, from: Data(old.utf8))
        #expect(state.eventSeq == 41)
        #expect(state.deviceName == "LAB-1")
        #expect(state.join == .entra(deviceID: "x"))
        #expect(state.winRE)
        #expect(state.userFiles.isEmpty)
        #expect(!state.syncPendingAfterReset)
    }

    @Test func aRoundTripKeepsEverything() throws {
        var state = DeviceState()
        state.eventSeq = 7
        state.regional = .init(language: "de-DE", region: "DE", keyboard: "de")
        state.enrollment = .init(mdmDeviceID: "m", enrolledAt: Date(timeIntervalSince1970: 1_800_000_000))
        state.wifiProfiles = ["wifi"]
        state.damage = .corruptOS
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString).json")
        try FileDeviceStorage(file: file).save(state)
        #expect(try FileDeviceStorage(file: file).load() == state)
    }

    @Test func aStateRewrittenInPlaceLeavesNothingOfTheOldOne() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let storage = FileDeviceStorage(file: file)
        var big = DeviceState()
        big.userFiles = (0..<40).map { "C:/Users/someone/Documents/file-\($0).docx" }
        var small = DeviceState()
        small.deviceName = "LAB-1"
        var huge = DeviceState()
        huge.userFiles = (0..<200).map { "C:/Users/someone/Documents/file-\($0).docx" }
        // Shrinking in place, growing in place, past a page (a new file), and back under a page.
        for state in [big, small, big, huge, small, small] {
            try storage.save(state)
            #expect(try storage.load() == state)
        }
        let inode = try FileManager.default.attributesOfItem(atPath: file.path)[.systemFileNumber] as? Int
        try storage.save(big)
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.systemFileNumber] as? Int == inode,
                "a state under a page is rewritten in the same file")
        #expect(try storage.load() == big)
    }

    @Test func aWipeKeepsOnlyTheFirmwarePart() {
        var state = DeviceState()
        state.eventSeq = 9
        state.hashCollection = 3
        state.primaryUser = "a@b.c"
        state.winRE = false
        let wiped = state.wiped()
        #expect(wiped.eventSeq == 9)
        #expect(wiped.hashCollection == 3)
        #expect(wiped.primaryUser == nil)
        #expect(!wiped.winRE)
    }
}
