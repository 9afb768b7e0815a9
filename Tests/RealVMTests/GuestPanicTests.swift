import Foundation
import Testing
import DeviceProtocol
import LabController
import LabService
@testable import LabRunner
import LabFiles
import TestSupport

/// A real VM whose guest kernel panics before the agent starts never reaches the endpoint: the
/// operation ends as soon as the panic shows on its serial console, naming it, instead of waiting
/// out its timeout. The guest is the lab's kernel with an initramfs that is not one, so the kernel
/// cannot mount a root and panics.
@Suite("a real VM whose guest kernel panics", .needs(.libvirtQEMU, .guestImage))
struct GuestPanicTests {
    @Test func theDeploymentFailsWithThePanicLineBeforeItsTimeout() async throws {
        let kernel = images.appendingPathComponent("build/vmlinuz")
        try #require(FileManager.default.fileExists(atPath: kernel.path), "no guest image: run make images (make test does)")
        let broken = try guestImages("pxelab-panic-images", kernel: Data(contentsOf: kernel), initrd: Data(repeating: 0x5A, count: 4_096))

        let tag = "kp" + UUID().uuidString.prefix(6).lowercased()
        let labFile = try LabFile.parse(oneVMLab(tag: tag, product: "Panicking Laptop", timing: "instant"), file: "panic.yaml")
        let root = makeTemporaryDirectory("pxelab-panic")
        let directory = LabDirectory(root: root, lab: labFile.lab)
        defer { _ = try? LabProvisioner(labFile: labFile, directory: directory).down() }
        // The timeout is the whole test's budget: a run that waits it out has missed the panic.
        let timeout = 240.0
        let running = try await RunningLab.open(labFile: labFile, stateRoot: root,
                                                options: .init(imagesDirectory: broken, realDeviceTimeout: timeout))
        let device = try running.lab.device("\(tag)-vm")
        let run = await running.devices.run(device, .init())
        try await running.close()
        guard case .failed(let phase, _, let message) = run.end else {
            Issue.record("the deployment ended \(run.end)")
            return
        }
        #expect(phase == .boot)
        #expect(message.contains("guest kernel panicked: ") && message.contains("Kernel panic - not syncing"), "\(message)")
        #expect(message.contains(directory.path("console/\(tag)-vm.log").path))
    }
}
