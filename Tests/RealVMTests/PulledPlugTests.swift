import Foundation
import Testing
import DeviceProtocol
import LabController
import LabService
@testable import LabRunner
import LabStore
import LabFiles
import Libvirt
import TestSupport

/// A real VM destroyed through libvirt in the middle of its ESP (someone pulls the plug): the
/// deployment fails with a reason that says so and where, and `recover` brings it back.
@Suite("a real VM powered off in the middle of its ESP", .needs(.libvirtQEMU, .guestImage))
struct PulledPlugTests {
    static func lab(_ tag: String) -> String {
        oneVMLab(tag: tag, product: "Unplugged Laptop", timing: "{ scale: 0.25 }", extra: """

            esp:
              - { displayName: Sales ESP, selectedMobileAppIds: [Portal] }
            apps:
              - { displayName: Portal, installTime: 20s }
            """)
    }

    @Test func theDeploymentFailsWithTheReasonAndRecoverBringsItBack() async throws {
        try #require(FileManager.default.fileExists(atPath: images.appendingPathComponent("build/initrd.img").path),
                     "no guest image: run make images (make test does)")
        let tag = "pp" + UUID().uuidString.prefix(6).lowercased()
        let labFile = try LabFile.parse(Self.lab(tag), file: "pulled-plug.yaml")
        try await withRealVMLab(labFile, folder: "pxelab-pulled-plug") { running in
            let name = "\(tag)-vm"
            let device = try running.lab.device(name)

            // The plug is pulled once the ESP has started installing the device's apps; the first
            // one hangs, so that the device is still there when the plug is pulled, however late.
            try running.lab.inject(Fault(id: "stall", kind: .hang, phase: .espDeviceSetup), into: name)
            let events = running.lab.store.feed.subscribe(device: name)
            let deployment = Task { await running.devices.run(device, .init()) }
            for await event in events where event.phase == .espDeviceSetup && event.status == .started {
                try await running.host(of: name).perform { try $0.domain(named: name).destroy() }
                break
            }
            let run = try await withDeadline(seconds: 300) { await deployment.value }
            guard case .failed(let phase, _, let message) = run.end else {
                Issue.record("the deployment ended \(run.end)")
                try await running.close()
                return
            }
            #expect(phase == .espDeviceSetup)
            #expect(message.contains("powered off from outside") && message.contains("esp-device-setup"), "\(message)")
            #expect(try running.lab.store.device(named: name)?.lifecycle == .failed)

            try running.lab.clearFaults(of: name)
            let recovered = try await running.fleet.recover(name, method: .autopilotReset)
            #expect(recovered.result == .businessReady, "\(recovered)")
            try await running.close()
        }
    }
}
