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

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL
let images = repository.appendingPathComponent("Images")

/// A lab of one real VM on `qemu:///system`, named after `tag` so that it never meets another
/// run's domains: a `product` laptop in the Sales group, deployed by a user-driven profile that
/// skips the pages a person would answer. `timing` is the lab's `timing`; `extra` adds sections.
func oneVMLab(tag: String, product: String, timing: String, extra: String = "") -> String {
    """
    lab: \(tag)
    hosts: { qemu: qemu:///system }
    timing: \(timing)
    tenant: { domain: contoso.onmicrosoft.com }
    models:
      laptop: { manufacturer: Contoso, product: \(product), memory: 512, tpm: "2.0" }
    fleet:
      - { model: laptop, name: \(tag)-vm, serial: "\(tag.uppercased())-1", groupTag: Sales }
    groups:
      - { name: Sales, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))' }
    profiles:
      - { displayName: Sales, outOfBoxExperienceSettings: { hideEULA: true, hidePrivacySettings: true, skipKeyboardSelectionPage: true }, assignments: [Sales] }
    """ + extra
}

/// A shipped lab (`Topologies/<name>.yaml`) with names of its own, so that it never meets another
/// run's domains: the lab is `tag` and six random characters, and so is each device's name prefix.
func shippedLab(_ name: String, devicePrefix: String, tag: String) throws -> LabFile {
    let unique = tag + UUID().uuidString.prefix(6).lowercased()
    let text = try String(contentsOf: repository.appendingPathComponent("Topologies/\(name).yaml"), encoding: .utf8)
        .replacingOccurrences(of: "lab: \(name)", with: "lab: \(unique)")
        .replacingOccurrences(of: devicePrefix, with: "\(unique)-")
    return try LabFile.parse(text, file: "\(name).yaml")
}

/// Opens a lab of real VMs, runs its scenario from factory-fresh devices, then `afterwards` on the
/// lab still running, and closes it (also when either throws); records each step that did not
/// pass. Returns the closed lab.
func runScenario(of labFile: LabFile, stateRoot root: URL,
                 afterwards: (RunningLab) async throws -> Void = { _ in }) async throws -> RunningLab {
    let running = try await RunningLab.open(labFile: labFile, stateRoot: root, options: .init(imagesDirectory: images, realDeviceTimeout: 300))
    let steps: [StepResult]
    do {
        try await running.fleet.factoryReset()
        steps = try await ScenarioExecutor(fleet: running.fleet).run(labFile.scenario)
        try await afterwards(running)
    } catch {
        try? await running.close()
        throw error
    }
    try await running.close()
    for step in steps where !step.passed {
        Issue.record("step \(step.index) \(step.summary) failed: \(step.details.joined(separator: "; "))")
    }
    return running
}

/// An Images folder of the test's own: the repository's boot templates and guest agent, and the
/// guest's kernel and initramfs as `kernel` and `initrd` give them (a broken or unsigned guest).
func guestImages(_ folder: String, kernel: Data, initrd: Data) throws -> URL {
    let root = makeTemporaryDirectory(folder)
    let files = FileManager.default
    for loader in ["ipxe", "grub"] {
        try files.copyItem(at: images.appendingPathComponent(loader), to: root.appendingPathComponent(loader))
    }
    try files.createDirectory(at: root.appendingPathComponent("build"), withIntermediateDirectories: true)
    try kernel.write(to: root.appendingPathComponent("build/vmlinuz"))
    try initrd.write(to: root.appendingPathComponent("build/initrd.img"))
    try files.copyItem(at: images.appendingPathComponent("build/pxelab-agent"), to: root.appendingPathComponent("build/pxelab-agent"))
    return root
}

/// Opens a lab of real VMs, factory-fresh, and runs `body` with it (which closes it); the lab's
/// domains are removed afterwards whatever happened. A body that throws leaves the lab open: it
/// is closed here first (its VMs powered off), or the removal would leave them running.
func withRealVMLab(_ labFile: LabFile, folder: String, _ body: (RunningLab) async throws -> Void) async throws {
    let root = makeTemporaryDirectory(folder)
    defer { _ = try? LabProvisioner(labFile: labFile, directory: LabDirectory(root: root, lab: labFile.lab)).down() }
    let running = try await RunningLab.open(labFile: labFile, stateRoot: root, options: .init(imagesDirectory: images, realDeviceTimeout: 300))
    do {
        try await running.fleet.factoryReset()
        try await body(running)
    } catch {
        try? await running.close()
        throw error
    }
}

/// Real QEMU VMs on `qemu:///system`: each network-boots through iPXE from the lab's endpoint
/// and runs pxelab-agent in the lab guest. Needs libvirtd with the QEMU driver and the guest
/// image (Images/build): `make test` starts the one and builds the other.
@Suite("real VMs: iPXE, the guest agent and the lifecycle flows", .needs(.libvirtQEMU, .guestImage))
struct RealVMTests {
    func labFile() throws -> LabFile { try shippedLab("real-vm", devicePrefix: "vm-", tag: "t") }

    @Test func twoVMsDeployAndGoThroughResetRepurposeRecoveryAndAFieldBug() async throws {
        let image = images.appendingPathComponent("build/initrd.img")
        try #require(FileManager.default.fileExists(atPath: image.path), "no guest image: run make images (make test does)")
        let labFile = try labFile()
        let root = makeTemporaryDirectory("pxelab-real-vm")
        let directory = LabDirectory(root: root, lab: labFile.lab)
        defer { _ = try? LabProvisioner(labFile: labFile, directory: directory).down() }
        let running = try await RunningLab.open(labFile: labFile, stateRoot: root,
                                                options: .init(imagesDirectory: images, realDeviceTimeout: 300))
        #expect(running.devices is RealVMs)
        try await running.fleet.factoryReset()
        let steps = try await ScenarioExecutor(fleet: running.fleet).run(labFile.scenario)
        for step in steps where !step.passed {
            Issue.record("step \(step.index) \(step.summary) failed: \(step.details.joined(separator: "; "))")
        }
        #expect(steps.count == 12)

        // The kiosk still runs, showing its enrollment error on its screen (virDomainScreenshot):
        // the guest's console lines. QEMU hands over a PNG (older versions a PPM, which pxelab
        // converts); a screen of text compresses far worse than an empty one (under 1 KiB).
        let kiosk = labFile.devices.first { $0.name.hasSuffix("-kiosk") }!
        let png = try await running.fleet.screen(of: kiosk.name)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 4_096, "the screen shows no text (\(png.count) bytes of PNG)")
        try await running.close()

        let connection = try Connection(uri: "qemu:///system")
        for device in labFile.devices {
            let serial = device.identity.serial
            // iPXE sent the SMBIOS identity QEMU gave the firmware ...
            let record = try #require(try running.lab.store.device(named: device.name))
            let boot = try #require(record.bootIdentity)
            #expect(boot.contains("serial=\(serial)"))
            #expect(boot.contains("uuid=\(device.identity.uuid.uuidString.lowercased())"))
            #expect(boot.lowercased().contains("mac=\(device.identity.mac.description.replacingOccurrences(of: ":", with: "-"))"))
            // The laptop is UEFI (iPXE EFI), the mini PC a legacy BIOS: the boot record says which.
            let path = try running.lab.deviceSummaries(named: device.name).first?.lastBootPath
            #expect(path == (labFile.model(of: device).firmware == .uefi ? .ipxeUEFI : .ipxeBIOS))
            // ... and the guest read the same identity from /sys/class/dmi/id.
            let firmware = try running.lab.store.events(of: device.name).filter { $0.phase == .boot && $0.step == "firmware" && $0.status == .completed }
            #expect(firmware.count >= 2)
            #expect(firmware.allSatisfy { $0.message?.contains("SMBIOS serial \(serial),") == true })
            // The serial console shows the guest's own boot and its OOBE.
            let console = try String(contentsOf: directory.path("console/\(device.name).log"), encoding: .utf8)
            #expect(console.contains("pxelab guest: 6."))
            #expect(console.contains("serial \(serial)"))
            #expect(console.contains("[enrollment] mdm started"))
            // The domain: QEMU under TCG, VNC on loopback only, booting from this run's endpoint.
            let xml = try connection.domain(named: device.name).xmlDescription([.inactive])
            #expect(xml.contains("<domain type='qemu'"))
            #expect(xml.contains("listen='127.0.0.1'"))
            #expect(xml.contains("bootfile=http://10.0.2.2:\(running.port)/boot.ipxe"))
        }
    }
}
