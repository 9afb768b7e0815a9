import LabFiles

/// A system's UEFI Secure Boot (`Systems/{id}/SecureBoot`, what Ironic's sushy reads as
/// `system.secure_boot`) and its TPM (`TrustedModules`), both from the device's model: the
/// firmware a real VM starts (OVMF with Microsoft's keys enrolled when Secure Boot is on, the
/// empty variable store otherwise) and the vTPM libvirt gives it, as a virtual device reports them.
/// Read-only: a model's firmware is changed in the lab file.
extension RedfishService {
    static func secureBootPath(_ device: LabDevice) -> String { systemPath(device) + "/SecureBoot" }

    /// The SecureBoot resource of a UEFI system; nil for a BIOS one, which has none.
    func secureBoot(_ device: LabDevice) -> [String: Any]? {
        let model = lab.labFile.model(of: device)
        guard model.firmware == .uefi else { return nil }
        return [
            "@odata.id": Self.secureBootPath(device), "@odata.type": "#SecureBoot.v1_1_2.SecureBoot",
            "Id": "SecureBoot", "Name": "UEFI Secure Boot",
            "SecureBootEnable": model.secureBoot,
            "SecureBootCurrentBoot": model.secureBoot ? "Enabled" : "Disabled",
            // Microsoft's keys enrolled (a platform key): user mode; OVMF's empty store: setup mode.
            "SecureBootMode": model.secureBoot ? "UserMode" : "SetupMode",
        ]
    }

    /// The system's TPM as `TrustedModules` (none: an empty list).
    static func trustedModules(_ model: DeviceModel) -> [[String: Any]] {
        switch model.tpm {
        case .none: []
        case .v1_2: [["InterfaceType": "TPM1_2", "Status": enabled]]
        case .v2_0: [["InterfaceType": "TPM2_0", "Status": enabled]]
        }
    }
}
