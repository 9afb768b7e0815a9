public import Foundation

/// The signed start of a Secure Boot network boot, which the firmware fetches from QEMU's TFTP
/// server (a lab's `tftp/` folder): Debian's shim, signed with Microsoft's UEFI CA, then
/// Debian's signed network GRUB (shim loads it as `grubx64.efi` from beside itself), then its
/// `grub/grub.cfg`, which reads the device's SMBIOS identity and asks the endpoint's own TFTP
/// server for the device's step. Every file is signed code or GRUB script: under Secure Boot
/// nothing else would run.
public struct SignedBootChain: Sendable {
    /// What QEMU's DHCP server names as the boot file.
    public static let bootFile = "shimx64.efi"
    /// Debian's packages (shim-signed, grub-efi-amd64-signed).
    static let shim = "/usr/lib/shim/shimx64.efi.signed"
    static let grub = "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed"

    public let folder: URL

    public init(folder: URL) { self.folder = folder }

    /// Why the chain cannot be laid out on this machine, if it cannot.
    public static var missing: String? {
        let files = [shim, grub].filter { !FileManager.default.fileExists(atPath: $0) }
        guard !files.isEmpty else { return nil }
        return "the signed network boot chain is missing (\(files.joined(separator: ", "))): "
            + "install Debian's shim-signed and grub-efi-amd64-signed packages"
    }

    /// Lays the chain out with `grubConfig` as its `grub/grub.cfg`, replacing what was there.
    public func prepare(grubConfig: String) throws {
        if let missing = Self.missing { throw LabError.missingOnHost(missing) }
        let files = FileManager.default
        try files.createDirectory(at: folder.appendingPathComponent("grub"), withIntermediateDirectories: true)
        for (source, name) in [(Self.shim, Self.bootFile), (Self.grub, "grubx64.efi")] {
            let target = folder.appendingPathComponent(name)
            try? files.removeItem(at: target)
            try files.copyItem(atPath: source, toPath: target.path)
        }
        try Data(grubConfig.utf8).write(to: folder.appendingPathComponent("grub/grub.cfg"), options: .atomic)
    }
}

extension LabDirectory {
    /// The folder QEMU's TFTP server serves Secure Boot VMs on the controller's machine
    /// (``SignedBootChain``).
    public var tftp: URL { path("tftp") }

    /// The folder for Secure Boot VMs that reach the endpoint at `address`, which their GRUB's
    /// bootstrap names: ``tftp`` for QEMU's gateway (VMs on the controller's machine),
    /// `tftp-ADDRESS/` for another host's VMs.
    public func tftp(reachingEndpointAt address: String) -> URL {
        address == Lab.hostAddressFromGuest ? tftp : path("tftp-\(address)")
    }
}
