import Autopilot
import DeviceIdentity
import Foundation
import OOBEAgent

/// What the hardware hash holds, read from the machine the agent runs on, as Windows's OA3 tool
/// reads it from a PC: SMBIOS (`/sys/class/dmi/id`), the boot NIC's MAC, memory and processors
/// (`/proc`), the system disk (`/sys/block`) and the TPM's endorsement key.
struct GuestHardware: Sendable {
    var identity: DeviceIdentity
    var ramGB: Int
    var cpuCores: Int
    var cpuManufacturer: String
    var cpuModel: String
    var diskGB: Int
    var disk: HashedHardware.Disk

    /// Reads it; `dmi` gives an SMBIOS value (nil when the firmware has none).
    static func read(_ firmware: FirmwareIdentity, dmi: (String) throws -> String?) throws -> GuestHardware {
        let mac = MACAddress(firmware.mac) ?? MACAddress(bytes: [0, 0, 0, 0, 0, 0])!
        let chassisType = try dmi("chassis_type").flatMap(Int.init).flatMap(ChassisType.init(rawValue:)) ?? .notebook
        let identity = DeviceIdentity(
            serial: firmware.serial, manufacturer: firmware.manufacturer, product: firmware.product,
            version: try dmi("product_version"), sku: try dmi("product_sku"), family: try dmi("product_family"),
            uuid: UUID(uuidString: firmware.uuid) ?? UUID(), mac: mac,
            board: .init(manufacturer: try dmi("board_vendor") ?? firmware.manufacturer, product: try dmi("board_name") ?? firmware.product,
                         version: try dmi("board_version"), serial: try dmi("board_serial") ?? ""),
            chassis: .init(manufacturer: firmware.manufacturer, serial: try dmi("chassis_serial") ?? firmware.serial, type: chassisType))
        let cpuinfo = Self.text("/proc/cpuinfo")
        let processors = cpuinfo.split(separator: "\n").filter { $0.hasPrefix("processor") }.count
        let memoryKiB = Self.field("MemTotal", in: Self.text("/proc/meminfo")).flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0
        let sectors = Int(Self.text("/sys/block/vda/size").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        return GuestHardware(
            identity: identity,
            ramGB: max(1, (memoryKiB + (1 << 20) - 1) >> 20),
            cpuCores: max(1, processors),
            cpuManufacturer: Self.field("vendor_id", in: cpuinfo) ?? "",
            cpuModel: Self.field("model name", in: cpuinfo) ?? "",
            diskGB: max(1, (sectors * 512 + (1 << 30) - 1) >> 30),
            disk: .init(serial: Self.text("/sys/block/vda/serial").trimmingCharacters(in: .whitespacesAndNewlines),
                        model: "Virtio Block Device"))
    }

    /// The hash at a collection, with the TPM's endorsement key when it has one.
    func hash(tpm: HashedHardware.TPMVersion, endorsementKey: [UInt8]?, collection: Int) -> String {
        HardwareHashEncoder.encode(HashedHardware(identity: identity, tpm: tpm, ramGB: ramGB, diskGB: diskGB, cpuCores: cpuCores,
                                                  cpuManufacturer: cpuManufacturer, cpuModel: cpuModel,
                                                  endorsementKey: endorsementKey, disk: disk, collection: collection))
    }

    private static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// `name : value` in /proc's files.
    private static func field(_ name: String, in text: String) -> String? {
        text.split(separator: "\n").lazy.compactMap { line -> String? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name else { return nil }
            return parts[1].trimmingCharacters(in: .whitespaces)
        }.first
    }
}
