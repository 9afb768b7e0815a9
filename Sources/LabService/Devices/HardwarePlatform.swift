public import LabFiles
import DeviceProtocol

/// A device's firmware, Secure Boot and TPM, as its model declares them: what a real VM is
/// built with (OVMF or SeaBIOS, its variable store, swtpm) and what a virtual device reports, so
/// that a lab means the same on both.
public struct HardwarePlatform: Codable, Sendable, Equatable {
    public var firmware: DeviceModel.Firmware
    public var secureBoot: Bool
    public var tpm: DeviceModel.TPM

    public init(_ model: DeviceModel) {
        firmware = model.firmware
        secureBoot = model.secureBoot
        tpm = model.tpm
    }

    /// As people read it: `UEFI, Secure Boot on, TPM 2.0`.
    public var text: String {
        PlatformText.describe(uefi: firmware == .uefi, secureBoot: secureBoot, tpm: tpm == .none ? nil : tpm.rawValue)
    }
}
