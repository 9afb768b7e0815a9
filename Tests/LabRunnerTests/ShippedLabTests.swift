import Foundation
import Testing
import LabService
import LabRunner
import LabFiles
import TestSupport

let topologies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Topologies")
    .standardizedFileURL

/// The lab files shipped in Topologies/ that run on virtual devices: the demo, the flows and every
/// field bug. Those on a QEMU host (real-vm.yaml, windows11.yaml) run in RealVMTests.
let shippedLabs: [String] = {
    let files = (FileManager.default.enumerator(atPath: topologies.path)?.allObjects as? [String]) ?? []
    return files.filter { file in
        guard file.hasSuffix(".yaml"), let lab = try? LabFile.load(file: topologies.appendingPathComponent(file).path) else { return false }
        return lab.hosts.allSatisfy { $0.uri == LabHost.embedded.uri }
    }.sorted()
}()

@Suite("shipped lab files")
struct ShippedLabTests {
    @Test func thereAreAtLeastFiveFieldBugs() {
        #expect(shippedLabs.filter { $0.hasPrefix("field-bugs/") }.count >= 5)
        #expect(shippedLabs.contains("demo.yaml") && shippedLabs.contains("flows.yaml"))
        #expect(!shippedLabs.contains("real-vm.yaml") && !shippedLabs.contains("windows11.yaml"))
    }

    @Test(arguments: shippedLabs)
    func runsAsItsFileExpects(_ file: String) async throws {
        let labFile = try LabFile.load(file: topologies.appendingPathComponent(file).path)
        // As fast as the lab allows: the checks do not depend on durations.
        let report = try await FleetRunner(labFile: labFile, stateRoot: makeTemporaryDirectory("pxelab-shipped"),
                                           options: .init(lab: .init(imagesDirectory: images, timing: LabTiming(scale: 0)))).run()
        for step in report.steps where !step.passed {
            Issue.record("\(file) step \(step.index) \(step.summary) failed: \(step.details.joined(separator: "; "))")
        }
        for device in report.devices where !device.asExpected {
            Issue.record("\(file): \(device.device) ended \(device.result.rawValue) \(device.errorCode?.description ?? ""), expected \(device.expected)")
        }
        #expect(report.allAsExpected)
        if file == "flows.yaml" { #expect(report.steps.count == 23) }
        if file.hasPrefix("field-bugs/") {
            // A field bug reproduces its symptom in a step named `symptom`.
            #expect(report.steps.contains { $0.name == "symptom" && $0.passed })
        }
    }
}
