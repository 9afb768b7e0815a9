import Foundation
import Testing
import DeviceProtocol
import LabStore
import TestSupport

/// The controller killed outright in the middle of a fleet's deployment, then run again on the
/// same lab with `--resume`: nothing it had stored is lost or stored twice, and every device
/// finishes.
///
/// `make soak` runs it longer: `PXELAB_SOAK_DEVICES` devices (10,000) killed `PXELAB_SOAK_KILLS`
/// times (3), each time a little further on.
@Suite("SIGKILL in the middle of a 1,000-device run, then --resume")
struct CrashResumeTests {
    static let devices = ProcessInfo.processInfo.environment["PXELAB_SOAK_DEVICES"].flatMap(Int.init) ?? 1_000
    static let kills = ProcessInfo.processInfo.environment["PXELAB_SOAK_KILLS"].flatMap(Int.init) ?? 1

    static let lab = """
    lab: crash
    tenant: { domain: contoso.onmicrosoft.com }
    timing: instant
    models:
      laptop: { manufacturer: Contoso, product: Crash Laptop, tpm: "2.0" }
    fleet:
      - { model: laptop, count: \(devices), name: "c-{seq:04}", serial: "CRASH{seq:05}", groupTag: Crash }
    groups:
      - { name: Crash, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Crash"))' }
    profiles:
      - displayName: Crash user-driven
        outOfBoxExperienceSettings: { hidePrivacySettings: true, hideEULA: true, skipKeyboardSelectionPage: true }
        assignments: [Crash]
    esp:
      - { displayName: Crash ESP, selectedMobileAppIds: [Portal, Office] }
    apps:
      - { displayName: Portal }
      - { displayName: Office }
    policies:
      - { displayName: BitLocker }
    """

    struct Key: Hashable { let device: String; let seq: Int }
    struct Stored: Equatable { let phase: String; let step: String; let status: String; let message: String? }

    static func snapshot(_ store: LabStore) throws -> [Key: Stored] {
        try store.devices().flatMap { try store.events(of: $0.name) }.reduce(into: [:]) { all, event in
            all[Key(device: event.device, seq: event.seq)] = Stored(phase: event.phase.rawValue, step: event.step,
                                                                    status: event.status.rawValue, message: event.message)
        }
    }

    @Test func everyDeviceResumesAndNoEventIsLostOrRepeated() async throws {
        let fixture = try PXELabRunFixture(lab: Self.lab, named: "crash", label: "pxelab-crash")
        defer { fixture.remove() }
        let storePath = fixture.labFolder.appendingPathComponent("state.sqlite")

        // Each run is killed once more of the fleet's events are stored (a third of them with
        // one kill); every run after the first resumes where the devices were.
        var before: [Key: Stored] = [:]
        for kill in 1...Self.kills {
            let running = try fixture.start(kill == 1 ? [] : ["--resume"])
            let target = Self.devices * 24 * kill / (Self.kills + 2)
            let (store, killedRunning) = try await onThreadOfItsOwn { () -> (LabStore?, Bool) in
                var store: LabStore?
                while running.isRunning {
                    if store == nil, FileManager.default.fileExists(atPath: storePath.path) { store = try? LabStore(path: storePath) }
                    if ((try? store?.eventCount()) ?? 0) >= target { break }
                    usleep(20_000)  // polling the other process's progress
                }
                let wasRunning = running.isRunning
                running.signal(SIGKILL)
                return (store, wasRunning)
            }
            #expect(killedRunning, "run \(kill) ended before it could be killed: \(running.output().suffix(2_000))")
            #expect(await running.exit() == SIGKILL)
            let store0 = try #require(store)
            let stored = try Self.snapshot(store0)
            // Nothing stored before an earlier kill was lost or changed by the run after it.
            #expect(before.filter { stored[$0.key] != $0.value }.isEmpty, "run \(kill) lost or changed earlier events")
            before = stored
            let deployed = try store0.devices().filter { $0.lifecycle == .deployed }.count
            #expect(deployed < Self.devices, "killed after the last device was done")
        }

        // The second run, on the same lab, resuming each device where it was.
        let second = try await fixture.run(["--resume", "--json"])
        #expect(second.status == 0, "\(second.output.suffix(2_000))")
        let report = try JSONSerialization.jsonObject(with: Data(second.output.utf8)) as? [String: Any]
        let results = (report?["devices"] as? [[String: Any]] ?? []).compactMap { $0["result"] as? String }
        #expect(results.count == Self.devices)
        #expect(results.allSatisfy { $0 == "business-ready" }, "\(Dictionary(grouping: results, by: { $0 }).mapValues(\.count))")

        let after = try Self.snapshot(try LabStore(path: storePath))
        // Every event stored before the kill is still there, unchanged, exactly once.
        let changed = before.filter { after[$0.key] != $0.value }
        #expect(changed.isEmpty, "\(changed.count) events lost or changed, e.g. \(changed.first.map { "\($0.key)" } ?? "")")
        // Per device, sequence numbers run 1...n with no gap (a key is unique by construction).
        let byDevice = Dictionary(grouping: after.keys, by: \.device)
        #expect(byDevice.count == Self.devices)
        let gapped = byDevice.filter { _, keys in keys.map(\.seq).sorted() != Array(1...keys.count) }
        #expect(gapped.isEmpty, "sequence gaps on \(gapped.keys.sorted().prefix(5))")
        #expect(after.count > before.count)
        let records = try LabStore(path: storePath).devices()
        #expect(records.allSatisfy { $0.lifecycle == .deployed })
    }
}
