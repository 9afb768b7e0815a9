import Foundation

/// The UEFI firmware real VMs start: OVMF from Debian's `ovmf` package, its 4 MiB builds.
///
/// Secure Boot needs the build that keeps its variables behind SMM (`OVMF_CODE_4M.secboot.fd`)
/// and a variable store with keys enrolled: `OVMF_VARS_4M.ms.fd` holds Microsoft's (the KEK and
/// the UEFI CA that signs shim), with Secure Boot on, as a Windows 11 PC ships.
enum OVMF {
    static let directory = "/usr/share/OVMF"

    /// The firmware's code, read-only.
    static func code(secureBoot: Bool) -> String {
        "\(directory)/" + (secureBoot ? "OVMF_CODE_4M.secboot.fd" : "OVMF_CODE_4M.fd")
    }

    /// The variable store a VM's own is copied from.
    static func variablesTemplate(secureBoot: Bool) -> String {
        "\(directory)/" + (secureBoot ? "OVMF_VARS_4M.ms.fd" : "OVMF_VARS_4M.fd")
    }

    /// Why a UEFI VM cannot be defined on this machine, if it cannot: the files it needs, missing.
    static func missing(secureBoot: Bool) -> String? {
        let files = [code(secureBoot: secureBoot), variablesTemplate(secureBoot: secureBoot)]
            .filter { !FileManager.default.fileExists(atPath: $0) }
        guard !files.isEmpty else { return nil }
        return "UEFI firmware missing (\(files.joined(separator: ", "))): install Debian's ovmf package"
    }
}
