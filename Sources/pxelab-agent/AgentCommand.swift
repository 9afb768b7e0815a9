import ArgumentParser
import Autopilot
import DeviceIdentity
import Foundation
import OOBEAgent
import DeviceProtocol

/// `pxelab-agent`: the device side of a lab device, as a small program. Inside a real VM it reads
/// the endpoint and its mode from the kernel command line (`pxelab.endpoint=...`) and its
/// identity from the firmware (`/sys/class/dmi/id`), keeps its state on the VM's disk, and runs
/// the boot it was started for. Every value can also be given as an option.
@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pxelab-agent",
        abstract: "The device side of a pxelab device: network boot, Autopilot OOBE, ESP, desktop.",
        discussion: """
        Runs one boot of the device against its pxelab endpoint and exits with a status that says how \
        it ended: 0 business-ready or desktop, 1 failed, 3 powered off (resealed), 4 reboot requested, \
        5 not part of the lab. Without options it reads the endpoint from /proc/cmdline and the SMBIOS \
        identity from /sys/class/dmi/id, as it does inside a lab VM.
        """
    )

    @Option(help: "The endpoint (default: pxelab.endpoint= on the kernel command line).")
    var endpoint: String?

    @Option(help: "The device's state file (its disk).")
    var state = "/var/lib/pxelab/device.json"

    @Option(help: "SMBIOS serial (default: /sys/class/dmi/id/product_serial).")
    var serial: String?

    @Option(help: "SMBIOS UUID (default: /sys/class/dmi/id/product_uuid).")
    var uuid: String?

    @Option(help: "SMBIOS manufacturer (default: /sys/class/dmi/id/sys_vendor).")
    var manufacturer: String?

    @Option(help: "SMBIOS product name (default: /sys/class/dmi/id/product_name).")
    var product: String?

    @Option(help: "The boot NIC's MAC (default: the first non-loopback interface's).")
    var mac: String?

    @Option(help: "Step durations as a fraction of real ones.")
    var scale = 0.0

    @Flag(help: "Print every step on the console, as the device shows it.")
    var console = false

    @Option(help: "At the desktop, keep asking the controller for work every this many seconds (0: end the boot).")
    var idle = 0.0

    func run() async throws {
        let commandLine = (try? String(contentsOfFile: "/proc/cmdline", encoding: .utf8)) ?? ""
        let kernel = BootScript(kernelCommandLine: commandLine)
        guard let endpoint = endpoint ?? kernel?.endpoint else {
            throw ValidationError("no endpoint: give --endpoint, or boot with pxelab.endpoint= on the kernel command line")
        }
        /// A firmware value; nil when the firmware has none. Serials and the UUID are root's only.
        func dmi(_ name: String) throws -> String? {
            let path = "/sys/class/dmi/id/\(name)"
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            do {
                return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ValidationError("cannot read \(path): \(error.localizedDescription) (run as root, or give it as an option)")
            }
        }
        let nic = mac ?? Self.firstMAC() ?? "00-00-00-00-00-00"
        let identity = FirmwareIdentity(serial: try serial ?? dmi("product_serial") ?? "",
                                        uuid: (try uuid ?? dmi("product_uuid") ?? "").lowercased(),
                                        manufacturer: try manufacturer ?? dmi("sys_vendor") ?? "",
                                        product: try product ?? dmi("product_name") ?? "",
                                        mac: nic.replacingOccurrences(of: ":", with: "-"), asset: try dmi("chassis_asset_tag") ?? "")
        let platform = GuestPlatform.read()
        let hardware = try GuestHardware.read(identity, dmi: dmi)
        let tpmVersion: HashedHardware.TPMVersion = switch platform.tpm {
        case .none: .none
        case .v1_2: .v1_2
        case .declared, .device: .v2_0
        }
        let tpm: GuestTPM? = if case .device(let device as GuestTPM) = platform.tpm { device } else { nil }
        // The hash names the TPM's own endorsement key, read again at each collection; a guest
        // whose TPM does not give it (or that has no TPM 2.0) presents a hash without one.
        let hash: @Sendable (Int) -> String = { collection in
            var endorsementKey: [UInt8] = []
            do {
                endorsementKey = try tpm?.endorsementKeyModulus() ?? []
            } catch {
                FileHandle.standardError.write(Data("pxelab-agent: the TPM's endorsement key could not be read (\(error)); the hardware hash carries none\n".utf8))
            }
            return hardware.hash(tpm: tpmVersion, endorsementKey: endorsementKey, collection: collection)
        }
        var agent = OOBEAgent(endpoint: endpoint, identity: identity, hardwareHash: hash, platform: platform,
                              storage: FileDeviceStorage(file: URL(fileURLWithPath: state), durable: true), timing: Timing(scale: scale))
        if console { agent.console = { event in print(ConsoleLine.render(event)) } }
        agent.idlePoll = idle > 0 ? idle : nil
        if let keyboard = Keyboard.open() { agent.keyboard = { keyboard.drain() } }
        // In a lab VM, iPXE already fetched the device's script: its values are on the command line.
        if self.endpoint == nil, let kernel, !kernel.device.isEmpty { agent.bootScript = kernel }
        let outcome = await agent.boot()
        print("pxelab-agent: \(outcome)")
        switch outcome {
        case .businessReady, .desktop: return
        case .failed: throw ExitCode(1)
        case .poweredOff: throw ExitCode(3)
        case .reboot: throw ExitCode(4)
        case .notInLab: throw ExitCode(5)
        }
    }

    /// The MAC of the first network interface that is not loopback.
    static func firstMAC() -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net"))?.sorted() ?? []
        return names.filter { $0 != "lo" }.lazy.compactMap {
            (try? String(contentsOfFile: "/sys/class/net/\($0)/address", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }.first
    }
}

/// How the device shows a step on its screen (the serial console).
enum ConsoleLine {
    static func render(_ event: DeviceEvent) -> String {
        let code = event.errorCode.map { " " + ErrorCode.text($0) } ?? ""
        let message = event.message.map { ": " + $0 } ?? ""
        return "[\(event.phase.rawValue)] \(event.step) \(event.status.rawValue)\(code)\(message)"
    }
}
