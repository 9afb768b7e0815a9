public import DeviceIdentity

/// A network-boot NIC on QEMU's user-mode network, passed on QEMU's command line through
/// libvirt's `qemu:commandline` namespace.
///
/// libvirt's `<interface type='user'>` has no option for the DHCP boot file, but QEMU's own
/// `-netdev user,bootfile=URL` does: its built-in DHCP server hands the URL to iPXE, which
/// fetches it over HTTP from the host (10.0.2.2 inside the VM). Nothing leaves the machine and no
/// bridge is needed. The device sits at an explicit PCI slot, because the default one collides
/// with the video card. libvirt's test driver ignores this element.
public struct QEMUNetworkBoot: Equatable, Sendable {
    /// libvirt's namespace for raw QEMU arguments.
    public static let namespaceURI = "http://libvirt.org/schemas/domain/qemu/1.0"

    /// What QEMU's DHCP server offers as the boot file: a URL for iPXE, such as
    /// `http://10.0.2.2:8080/boot.ipxe`, or a file in ``tftpRoot``.
    public var bootFile: String
    /// The NIC's MAC address.
    public var mac: MACAddress
    /// The PCI slot of the NIC (`addr=`).
    public var pciSlot: Int
    /// QEMU's device model.
    public var model: String
    /// The netdev id linking the NIC to the user-mode network.
    public var netdevID: String
    /// The folder QEMU's own TFTP server serves (`tftp=`), where the boot file is then a name
    /// in it (UEFI Secure Boot's `shimx64.efi`) rather than a URL.
    public var tftpRoot: String?
    /// The NIC's option ROM (`romfile=`); empty for none, so that the firmware's own network
    /// driver boots (shim refuses to run under Secure Boot after QEMU's iPXE ROM). Nil: QEMU's
    /// default iPXE ROM.
    public var optionROM: String?

    public init(bootFile: String, mac: MACAddress, pciSlot: Int = 0x10, model: String = "virtio-net-pci",
                netdevID: String = "pxe0", tftpRoot: String? = nil, optionROM: String? = nil) {
        self.bootFile = bootFile
        self.mac = mac
        self.pciSlot = pciSlot
        self.model = model
        self.netdevID = netdevID
        self.tftpRoot = tftpRoot
        self.optionROM = optionROM
    }

    /// The QEMU arguments, in order.
    public var arguments: [String] {
        [
            "-netdev", "user,id=\(netdevID)" + (tftpRoot.map { ",tftp=\(Self.escape($0))" } ?? "") + ",bootfile=\(Self.escape(bootFile))",
            "-device", "\(model),netdev=\(netdevID),mac=\(mac),bootindex=1,addr=0x\(String(pciSlot, radix: 16))"
                + (optionROM.map { ",romfile=\(Self.escape($0))" } ?? ""),
        ]
    }

    /// Reads the NIC back from QEMU arguments; nil when they do not hold one.
    public init?(arguments: [String]) {
        var netdev: [String: String] = [:]
        var device: (model: String, options: [String: String])?
        var index = 0
        while index + 1 < arguments.count {
            let (name, options) = Self.split(arguments[index + 1])
            if arguments[index] == "-netdev", name == "user" { netdev = options }
            if arguments[index] == "-device", options["netdev"] != nil { device = (name, options) }
            index += 2
        }
        guard let id = netdev["id"], let bootFile = netdev["bootfile"], let device, device.options["netdev"] == id,
              let macText = device.options["mac"], let mac = MACAddress(macText) else { return nil }
        let slotText = device.options["addr"] ?? "0x10"
        let slot = slotText.hasPrefix("0x") ? Int(slotText.dropFirst(2), radix: 16) : Int(slotText)
        guard let slot else { return nil }
        self.init(bootFile: bootFile, mac: mac, pciSlot: slot, model: device.model, netdevID: id,
                  tftpRoot: netdev["tftp"], optionROM: device.options["romfile"])
    }

    /// QEMU separates options with commas; a literal comma is written twice.
    private static func escape(_ value: String) -> String { value.replacingOccurrences(of: ",", with: ",,") }

    /// Splits `name,key=value,...` honouring doubled commas.
    private static func split(_ argument: String) -> (String, [String: String]) {
        var parts: [String] = []
        var current = ""
        var characters = Array(argument)[...]
        while let character = characters.popFirst() {
            if character == "," {
                if characters.first == "," {
                    current.append(",")
                    characters.removeFirst()
                } else {
                    parts.append(current)
                    current = ""
                }
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        var options: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            options[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
        }
        return (parts[0], options)
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
