import Foundation

/// The way a device's last network boot reached the endpoint, as its boot loader's request
/// said (the boot record's identity: `platform=` from iPXE, `loader=grub` from the Secure Boot
/// chain's GRUB).
public enum BootPath: String, Codable, Sendable, CaseIterable {
    /// iPXE from the NIC's option ROM under a legacy BIOS.
    case ipxeBIOS = "ipxe-bios"
    /// iPXE EFI: UEFI without Secure Boot.
    case ipxeUEFI = "ipxe-uefi"
    /// shim, then Debian's signed network GRUB over TFTP: UEFI Secure Boot.
    case shimGRUB = "shim-grub"

    /// The path a boot identity (the query the boot loader sent) names; nil when it names none.
    public init?(bootIdentity: String) {
        let fields = Dictionary(bootIdentity.split(separator: "&").map { field in
            let pair = field.split(separator: "=", maxSplits: 1)
            return (String(pair[0]), pair.count > 1 ? String(pair[1]) : "")
        }, uniquingKeysWith: { first, _ in first })
        switch (fields["loader"], fields["platform"]) {
        case ("grub"?, _): self = .shimGRUB
        case (_, "efi"?): self = .ipxeUEFI
        case (_, "pcbios"?): self = .ipxeBIOS
        default: return nil
        }
    }
}
