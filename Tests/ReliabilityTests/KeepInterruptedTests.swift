import Foundation
import Testing
import TestSupport

/// `pxelab run --keep` asked to stop (SIGTERM, as Ctrl-C) while its devices still deploy: the run
/// stops and pxelab exits, as the message it prints says; the lab is not kept up afterwards (it
/// was: the signal stopped the run, then pxelab kept the lab up and waited for another).
@Suite("pxelab run --keep stopped during its run")
struct KeepInterruptedTests {
    static let lab = """
    lab: keep
    tenant: { domain: contoso.onmicrosoft.com }
    timing: realistic
    models:
      laptop: { manufacturer: Contoso, product: Keep Laptop }
    fleet:
      - { model: laptop, count: 3, name: "k-{seq}", serial: "KEEP{seq:03}" }
    profiles: [{ displayName: Standard, assignments: [All devices] }]
    """

    @Test func aSignalDuringTheRunStopsItAndPxelabExits() async throws {
        let fixture = try PXELabRunFixture(lab: Self.lab, named: "keep", label: "pxelab-keep-stop")
        defer { fixture.remove() }
        // Realistic timing: the devices take minutes, so the run is still going when the signal comes.
        let running = try fixture.start(["--keep"])
        let opened = try await onThreadOfItsOwn { () -> Bool in
            while running.isRunning, !running.output().contains("dashboard at") { usleep(20_000) }  // polling its output
            return running.isRunning
        }
        #expect(opened, "pxelab ended before its lab opened: \(running.output().suffix(2_000))")
        running.signal(SIGTERM)
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await running.exit() }
            // A guard against a hang, not a measure: the stop takes well under a second here.
            group.addTask { try? await Task.sleep(for: .seconds(120)); return nil }
            let first = await group.next() ?? nil
            if first == nil { running.signal(SIGKILL) }
            group.cancelAll()
            return first
        }
        let output = running.output()
        #expect(status != nil, "pxelab still ran 120 s after SIGTERM: \(output.suffix(2_000))")
        #expect(status != 0, "an interrupted run is not a run whose devices all ended as expected")
        #expect(!output.contains("kept up"), "\(output.suffix(2_000))")
        #expect(output.contains("pxelab: stopping"))
    }
}
