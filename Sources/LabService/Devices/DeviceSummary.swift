public import Foundation
import Autopilot
public import DeviceProtocol
import LabStore

/// A lab device as the admin API and the dashboard show it: who it is, where it is in its life,
/// and its Autopilot registration with the profile that reaches it.
public struct DeviceSummary: Codable, Sendable, Equatable {
    public var name: String
    public var serial: String
    public var model: String
    /// Its model's firmware, Secure Boot and TPM (nil for a model the lab file no longer has).
    public var platform: HardwarePlatform?
    public var mac: String
    public var uuid: String
    public var lifecycle: DeviceLifecycle
    public var outcome: DeviceOutcome
    public var bootMode: BootMode
    public var errorCode: ErrorCode?
    public var lastSeq: Int
    public var bootCount: Int
    /// How its last network boot came: iPXE (BIOS or UEFI) or Secure Boot's shim and GRUB.
    public var lastBootPath: BootPath?
    /// The address its last boot request came from: a real VM on another libvirt host comes from
    /// that host's address, one on the controller's machine from loopback.
    public var lastBootClient: String?
    /// The lab file's name of the libvirt host it is defined on.
    public var host: String
    public var lastSeenAt: Date?
    public var registration: RegistrationSummary?
}

extension Lab {
    /// A model's firmware, Secure Boot and TPM; nil for a model the lab file does not have.
    public func platform(ofModel id: String) -> HardwarePlatform? {
        labFile.models.first { $0.id == id }.map(HardwarePlatform.init)
    }

    /// The lab file's name of the host a device is defined on (the default host for a name the
    /// lab file does not have).
    func hostName(of device: String) -> String {
        labFile.devices.first { $0.name == device }.map { labFile.host(of: $0).name } ?? labFile.hosts[0].name
    }

    /// The lab's devices (or the one named) with their registration, groups and profile, in name
    /// order. Resolving a device's assignment stores it, as the service does whenever it looks.
    public func deviceSummaries(named name: String? = nil) throws -> [DeviceSummary] {
        let records = try name.map { try store.device(named: $0).map { [$0] } ?? [] } ?? store.devices()
        let registered = try name == nil ? autopilot.registrations()
            : records.compactMap { try autopilot.registration(serial: $0.serial) }
        let summaries = Dictionary(try autopilot.summaries(of: registered).map { ($0.serialNumber, $0) },
                                   uniquingKeysWith: { first, _ in first })
        return records.map { record in
            DeviceSummary(name: record.name, serial: record.serial, model: record.model, platform: platform(ofModel: record.model),
                          mac: record.mac, uuid: record.uuid,
                          lifecycle: record.lifecycle, outcome: DeviceOutcome(record.lifecycle), bootMode: record.lifecycle.bootMode,
                          errorCode: record.errorCode.map(ErrorCode.init), lastSeq: record.lastSeq, bootCount: record.bootCount,
                          lastBootPath: record.bootIdentity.flatMap(BootPath.init(bootIdentity:)), lastBootClient: record.bootClient,
                          host: hostName(of: record.name), lastSeenAt: record.lastSeenAt,
                          registration: summaries[record.serial])
        }
    }
}
