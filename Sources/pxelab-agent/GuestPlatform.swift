import Foundation
import OOBEAgent

/// The firmware and TPM of the machine the agent runs on, read as Windows reads them: UEFI's
/// `SecureBoot` variable (efivarfs, which the guest's init mounts) and the kernel's TPM device.
enum GuestPlatform {
    /// UEFI's global variable GUID (EFI_GLOBAL_VARIABLE).
    static let globalVariables = "8be4df61-93ca-11d2-aa0d-00e098032b8c"

    static func read() -> DevicePlatform {
        let files = FileManager.default
        let uefi = files.fileExists(atPath: "/sys/firmware/efi")
        return DevicePlatform(uefi: uefi, secureBoot: uefi && secureBoot(), tpm: tpm())
    }

    /// efivarfs gives a variable as its 4-byte attributes, then its value: one byte, 1 when on.
    static func secureBoot() -> Bool {
        guard let bytes = FileManager.default.contents(atPath: "/sys/firmware/efi/efivars/SecureBoot-\(globalVariables)") else {
            return false
        }
        return bytes.count >= 5 && bytes[bytes.startIndex + 4] == 1
    }

    /// The kernel's first TPM, by the major version it reports.
    static func tpm() -> DevicePlatform.TPM {
        guard let major = try? String(contentsOfFile: "/sys/class/tpm/tpm0/tpm_version_major", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return .none }
        switch major {
        case "2": return .device(GuestTPM())
        case "1": return .v1_2
        default: return .none
        }
    }
}
