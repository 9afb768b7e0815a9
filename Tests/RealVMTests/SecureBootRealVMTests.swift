import Foundation
import Testing
import DeviceProtocol
import LabController
import LabService
@testable import LabRunner
import LabFiles
import Libvirt
import Autopilot
import TestSupport

/// Windows 11-class real VMs (Topologies/windows11.yaml): OVMF with Secure Boot and Microsoft's
/// keys, a swtpm TPM 2.0, the signed network boot chain, and TPM attestation checked for real.
@Suite("Windows 11-class real VMs: Secure Boot's signed chain and real TPM attestation",
       .needs(.libvirtQEMU, .guestImage, .swtpm, .secureBoot))
struct SecureBootRealVMTests {
    func labFile() throws -> LabFile { try shippedLab("windows11", devicePrefix: "w11-", tag: "w") }

    @Test func aSelfDeployingVMAttestsItsTPMAndAVMWithoutOneFailsWith0x800705B4() async throws {
        let labFile = try labFile()
        let root = makeTemporaryDirectory("pxelab-windows11")
        let directory = LabDirectory(root: root, lab: labFile.lab)
        let provisioner = LabProvisioner(labFile: labFile, directory: directory)
        defer { _ = try? provisioner.down() }
        let noTPM = labFile.devices.first { $0.name.hasSuffix("-vm") }!.name
        let running = try await runScenario(of: labFile, stateRoot: root) { running in
            // The VM without a TPM stays on its error (it asks the controller, and does not try
            // again by itself): following it now ends there, with nothing new reported.
            let store = running.lab.store
            let shown = try store.device(named: noTPM)?.lastSeq
            let followed = try await running.fleet.power(noTPM, .on)
            #expect(followed.result == .failed && followed.errorCode == ErrorCode(0x800705B4) && followed.boots == 0, "\(followed)")
            #expect(try store.device(named: noTPM)?.lastSeq == shown)
            // Deploying it again restarts it: a new boot tries again, and meets the same error.
            let retried = try await running.fleet.deploy(noTPM)
            #expect(retried.result == .failed && retried.errorCode == ErrorCode(0x800705B4) && retried.boots == 1, "\(retried)")
        }
        let store = running.lab.store
        func events(_ device: String, _ step: String, _ status: StepStatus) throws -> [String] {
            try store.events(of: device).filter { $0.step == step && $0.status == status }.compactMap(\.message)
        }
        let kiosk = labFile.devices.first { $0.name.hasSuffix("-kiosk") }!.name
        for device in labFile.devices {
            // Each came through shim and GRUB, which asked the endpoint's TFTP server with its serial
            // and UUID as SMBIOS holds them (GRUB prints the UUID as dmidecode and iPXE do).
            let summary = try #require(try running.lab.deviceSummaries(named: device.name).first)
            #expect(summary.lastBootPath == .shimGRUB)
            let identity = try store.device(named: device.name)?.bootIdentity
            #expect(identity?.contains("serial=\(device.identity.serial)&uuid=\(device.identity.uuid.uuidString.lowercased())&") == true,
                    "\(identity ?? "no boot")")
            let console = try String(contentsOf: directory.path("console/\(device.name).log"), encoding: .utf8)
            #expect(console.contains("NBP filename is shimx64.efi"))
            #expect(console.contains("serial \(device.identity.serial) (UEFI Secure Boot)"))
            #expect(console.contains("pxelab: UUID \(device.identity.uuid.uuidString.lowercased()), MAC \(device.identity.mac)"))
            // The guest read Secure Boot's state from UEFI's variables, and its TPM from the kernel.
            let firmware = try events(device.name, ProtocolStep.firmware, .completed)
            let tpm = device.name == noTPM ? "no TPM" : "TPM 2.0"
            #expect(firmware.first?.contains("UEFI, Secure Boot on, \(tpm)") == true, "\(firmware)")
        }
        // Enrolled with the Secure Boot state their guests read: compliant with the baseline, so
        // Conditional Access gave the user-driven VM's user their tokens.
        for device in labFile.devices where device.name != noTPM {
            let enrolled = try events(device.name, "mdm", .completed)
            #expect(enrolled.first?.hasSuffix(", compliant") == true, "\(device.name): \(enrolled)")
        }
        // The kiosk's TPM: its EK certificate chained to swtpm's local CA, and it activated the credential.
        let attested = try #require(try events(kiosk, "securing-hardware", .completed).first)
        #expect(attested.hasPrefix("TPM 2.0 attested (CN=swtpm-localca), EK SHA-256 "), "\(attested)")
        // The hash the kiosk presented is what its guest read: its SMBIOS identity, its MAC and
        // the same endorsement key the attestation certified.
        let device = labFile.devices.first { $0.name == kiosk }!
        let hash = try HardwareHash(base64: try #require(try store.device(named: kiosk)?.lastHash))
        #expect(hash.serial == device.identity.serial && hash.uuid == device.identity.uuid)
        #expect(hash.manufacturer == device.identity.manufacturer && hash.product == device.identity.product)
        #expect(hash.sku == device.identity.sku && hash.family == device.identity.family)
        #expect(hash.macAddresses == [device.identity.mac])
        #expect(hash.tpmVersion == "2.0" && hash.checksumValid)
        #expect(hash.endorsementKeyDigest.map { attested.hasSuffix("EK SHA-256 \($0)") } == true, "\(hash.endorsementKeyDigest ?? "none")")
        #expect(hash.cpuModel?.contains("QEMU") == true && hash.ramGB == 1)
        let bare = try HardwareHash(base64: try #require(try store.device(named: noTPM)?.lastHash))
        #expect(bare.tpmVersion == nil && !bare.hasEndorsementKey)
        let failed = try events(noTPM, "securing-hardware", .failed)
        #expect(failed.first?.contains("the device has no TPM 2.0 (none)") == true, "\(failed)")
        // swtpm's state (the EK and its certificate) and the VM's variables exist until the lab goes down.
        let uuid = labFile.devices.first { $0.name == kiosk }!.identity.uuid.uuidString.lowercased()
        let tpmState = "/var/lib/libvirt/swtpm/\(uuid)"
        #expect(FileManager.default.fileExists(atPath: tpmState))
        #expect(FileManager.default.fileExists(atPath: directory.path("nvram/\(kiosk).fd").path))
        _ = try provisioner.down()
        #expect(!FileManager.default.fileExists(atPath: tpmState))
        #expect(!FileManager.default.fileExists(atPath: directory.path("nvram/\(kiosk).fd").path))
    }

    @Test func anUnsignedKernelIsRefusedAtBoot() async throws {
        let kernel = images.appendingPathComponent("build/vmlinuz")
        try #require(FileManager.default.fileExists(atPath: kernel.path), "no guest image: run make images (make test does)")
        let unsigned = try guestImages("pxelab-unsigned-images", kernel: PortableExecutable.removingSignature(from: Data(contentsOf: kernel)),
                                       initrd: Data(contentsOf: images.appendingPathComponent("build/initrd.img")))

        let tag = "us" + UUID().uuidString.prefix(6).lowercased()
        let labFile = try LabFile.parse(oneVMLab(tag: tag, product: "Secure Laptop", timing: "instant"), file: "unsigned.yaml")
        let root = makeTemporaryDirectory("pxelab-unsigned")
        let directory = LabDirectory(root: root, lab: labFile.lab)
        defer { _ = try? LabProvisioner(labFile: labFile, directory: directory).down() }
        // The timeout is the whole test's budget: a run that waits it out has missed the refusal.
        let running = try await RunningLab.open(labFile: labFile, stateRoot: root,
                                                options: .init(imagesDirectory: unsigned, realDeviceTimeout: 240))
        let run = await running.devices.run(try running.lab.device("\(tag)-vm"), .init())
        try await running.close()
        guard case .failed(let phase, _, let message) = run.end else {
            Issue.record("the boot ended \(run.end)")
            return
        }
        #expect(phase == .boot)
        #expect(message.contains("firmware refused to run unsigned code under Secure Boot: ") && message.contains("bad shim signature"),
                "\(message)")
        // The kernel never ran: the device never reported anything.
        #expect(try running.lab.store.events(of: "\(tag)-vm").isEmpty)
    }
}

/// Just enough of the PE format to take an EFI image's Authenticode signature away.
enum PortableExecutable {
    /// The image without its certificate table: the data directory entry zeroed and the
    /// signature cut from the end of the file, as `sbattach --remove` does.
    static func removingSignature(from image: Data) throws -> Data {
        var bytes = [UInt8](image)
        func u32(_ offset: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) } }
        let header = u32(0x3C)
        guard bytes.count > header + 24, bytes[header..<header + 4] == [0x50, 0x45, 0, 0] else { throw NotPE() }
        let optional = header + 24
        // PE32+ (0x20B) keeps its data directories 112 bytes in; the certificate table is the fifth.
        guard bytes[optional] == 0x0B, bytes[optional + 1] == 0x02 else { throw NotPE() }
        let entry = optional + 112 + 4 * 8
        let (offset, size) = (u32(entry), u32(entry + 4))
        guard offset > 0, size > 0, offset + size <= bytes.count else { throw NotPE() }
        bytes.replaceSubrange(entry..<entry + 8, with: [UInt8](repeating: 0, count: 8))
        bytes.removeSubrange(offset..<offset + size)
        return Data(bytes)
    }

    struct NotPE: Error, CustomStringConvertible {
        var description: String { "not a signed PE32+ image" }
    }
}
