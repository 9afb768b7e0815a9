public import Foundation
public import DeviceIdentity

/// A libvirt domain definition, typed: the parts of `<domain>` that pxelab writes and reads.
///
/// ``xml()`` builds the document with libxml2 and ``init(xml:source:)`` reads one back, from
/// our own output or from what libvirt stored (which adds elements this type ignores).
/// `DomainSpec(xml: spec.xml()) == spec` for every spec.
public struct DomainSpec: Equatable, Sendable {
    /// `<domain type=...>`: the hypervisor.
    public var type: HypervisorType
    public var name: String
    public var uuid: UUID?
    /// `<title>`: a short description shown by management tools.
    public var title: String?
    /// `<memory unit='KiB'>`.
    public var memoryKiB: Int
    /// `<vcpu>`.
    public var vcpus: Int
    /// `<sysinfo type='smbios'>`: the firmware identity the guest sees.
    public var sysinfo: SMBIOSSysinfo?
    public var os: OS
    /// `<features><acpi/>`: needed for a guest's power-off to power the VM off.
    public var acpi: Bool
    public var disks: [Disk]
    public var interfaces: [Interface]
    /// `<serial>`: where the guest's first serial port goes.
    public var serialConsole: SerialConsole?
    /// `<tpm>`: a TPM the guest sees, emulated by swtpm.
    public var tpm: TPM?
    /// A network-boot NIC passed to QEMU directly (see ``QEMUNetworkBoot``).
    public var networkBoot: QEMUNetworkBoot?
    /// A VNC display listening on this address (loopback), so screenshots show the screen.
    public var vncListen: String?
    /// pxelab's own `<metadata>` element: which lab and device this domain is.
    public var labMetadata: LabMetadata?

    public init(type: HypervisorType, name: String, uuid: UUID? = nil, title: String? = nil, memoryKiB: Int,
                vcpus: Int, sysinfo: SMBIOSSysinfo? = nil, os: OS = OS(), acpi: Bool = true, disks: [Disk] = [],
                interfaces: [Interface] = [], serialConsole: SerialConsole? = nil, tpm: TPM? = nil,
                networkBoot: QEMUNetworkBoot? = nil, vncListen: String? = nil, labMetadata: LabMetadata? = nil) {
        self.type = type
        self.name = name
        self.uuid = uuid
        self.title = title
        self.memoryKiB = memoryKiB
        self.vcpus = vcpus
        self.sysinfo = sysinfo
        self.os = os
        self.acpi = acpi
        self.disks = disks
        self.interfaces = interfaces
        self.serialConsole = serialConsole
        self.tpm = tpm
        self.networkBoot = networkBoot
        self.vncListen = vncListen
        self.labMetadata = labMetadata
    }

    /// `<domain type=...>`.
    public enum HypervisorType: String, Sendable, CaseIterable {
        /// libvirt's test driver.
        case test
        /// QEMU with software emulation (TCG).
        case qemu
        /// QEMU with KVM acceleration.
        case kvm
    }

    /// `<os>`.
    public struct OS: Equatable, Sendable {
        /// `<type arch=...>`; libvirt fills in the host's default when nil.
        public var arch: String?
        /// `<type machine=...>`; libvirt fills in the default machine when nil.
        public var machine: String?
        /// `<boot dev=...>` in order.
        public var bootOrder: [BootDevice]
        /// `<smbios mode=...>`; `sysinfo` hands the domain's `<sysinfo>` to the firmware.
        public var smbiosMode: SMBIOSMode?
        /// The firmware the domain starts.
        public var firmware: Firmware

        public init(arch: String? = nil, machine: String? = nil, bootOrder: [BootDevice] = [.network, .hd],
                    smbiosMode: SMBIOSMode? = nil, firmware: Firmware = .bios) {
            self.arch = arch
            self.machine = machine
            self.bootOrder = bootOrder
            self.smbiosMode = smbiosMode
            self.firmware = firmware
        }
    }

    /// The firmware a domain starts: libvirt's default BIOS (SeaBIOS under QEMU), or UEFI.
    public enum Firmware: Equatable, Sendable {
        case bios
        case uefi(UEFI)
    }

    /// UEFI firmware (OVMF) from a read-only pflash image, with a variable store of the domain's
    /// own. With Secure Boot the domain also gets SMM (`<features><smm state='on'/>`), which
    /// QEMU needs to keep the variables from the guest; libvirt then wants the `q35` machine.
    public struct UEFI: Equatable, Sendable {
        /// `<loader>`: the firmware's code, such as `/usr/share/OVMF/OVMF_CODE_4M.secboot.fd`.
        public var loader: String
        /// `<loader secure='yes'>`: a firmware build that enforces Secure Boot.
        public var secureBoot: Bool
        /// `<nvram>`: the domain's own variable store (libvirt makes it from the template when missing).
        public var variables: String
        /// `<nvram template=...>`: the store a new one is copied from, such as
        /// `OVMF_VARS_4M.ms.fd` (Microsoft's keys enrolled, Secure Boot on).
        public var variablesTemplate: String?

        public init(loader: String, secureBoot: Bool, variables: String, variablesTemplate: String? = nil) {
            self.loader = loader
            self.secureBoot = secureBoot
            self.variables = variables
            self.variablesTemplate = variablesTemplate
        }
    }

    /// A `<tpm>` backed by swtpm, which libvirt starts with the domain and keeps the state of
    /// (its EK and certificate made by swtpm's local CA on the first start).
    public struct TPM: Equatable, Sendable {
        /// `<tpm model=...>`: `tpm-crb` (TPM 2.0's command response buffer) or `tpm-tis`.
        public var model: String
        /// `<backend version=...>`: `2.0`.
        public var version: String

        public init(model: String = "tpm-crb", version: String = "2.0") {
            self.model = model
            self.version = version
        }
    }

    /// `<boot dev=...>`.
    public enum BootDevice: String, Sendable, CaseIterable {
        case network, hd, cdrom, fd
    }

    /// `<smbios mode=...>`.
    public enum SMBIOSMode: String, Sendable, CaseIterable {
        case sysinfo, host, emulate
    }

    /// A `<disk type='file' device='disk'>`.
    public struct Disk: Equatable, Sendable {
        /// `<source file=...>`.
        public var path: String
        /// `<driver type=...>`: `qcow2` or `raw`.
        public var format: String
        /// `<target dev=...>`, such as `vda`.
        public var target: String
        /// `<target bus=...>`, such as `virtio`.
        public var bus: String

        public init(path: String, format: String = "qcow2", target: String = "vda", bus: String = "virtio") {
            self.path = path
            self.format = format
            self.target = target
            self.bus = bus
        }
    }

    /// An `<interface>` libvirt manages.
    public struct Interface: Equatable, Sendable {
        public var kind: Kind
        public var mac: MACAddress?
        /// `<model type=...>`, such as `virtio`.
        public var model: String?

        public init(kind: Kind, mac: MACAddress? = nil, model: String? = "virtio") {
            self.kind = kind
            self.mac = mac
            self.model = model
        }

        public enum Kind: Equatable, Sendable {
            /// `type='user'`: QEMU's user-mode (slirp) networking, reaching the host as 10.0.2.2.
            case user
            /// `type='network'` on a libvirt network.
            case network(String)
        }
    }

    /// Where `<serial>` port 0 goes.
    public enum SerialConsole: Equatable, Sendable {
        /// Appended to a file on the host (`type='file'`).
        case file(String)
        /// A pseudo-terminal (`type='pty'`).
        case pty
    }
}

/// `<sysinfo type='smbios'>`: SMBIOS types 1 (system), 2 (baseboard) and 3 (chassis).
/// Entries that are nil are not written.
public struct SMBIOSSysinfo: Equatable, Sendable {
    public var bios: BIOS
    public var system: System
    public var baseBoard: BaseBoard
    public var chassis: Chassis

    public init(bios: BIOS = BIOS(), system: System = System(), baseBoard: BaseBoard = BaseBoard(), chassis: Chassis = Chassis()) {
        self.bios = bios
        self.system = system
        self.baseBoard = baseBoard
        self.chassis = chassis
    }

    /// SMBIOS type 0.
    public struct BIOS: Equatable, Sendable {
        public var vendor, version, date: String?
        public init(vendor: String? = nil, version: String? = nil, date: String? = nil) {
            self.vendor = vendor
            self.version = version
            self.date = date
        }
    }

    /// SMBIOS type 1.
    public struct System: Equatable, Sendable {
        public var manufacturer, product, version, serial, uuid, sku, family: String?
        public init(manufacturer: String? = nil, product: String? = nil, version: String? = nil, serial: String? = nil,
                    uuid: String? = nil, sku: String? = nil, family: String? = nil) {
            self.manufacturer = manufacturer
            self.product = product
            self.version = version
            self.serial = serial
            self.uuid = uuid
            self.sku = sku
            self.family = family
        }
    }

    /// SMBIOS type 2.
    public struct BaseBoard: Equatable, Sendable {
        public var manufacturer, product, version, serial, asset: String?
        public init(manufacturer: String? = nil, product: String? = nil, version: String? = nil,
                    serial: String? = nil, asset: String? = nil) {
            self.manufacturer = manufacturer
            self.product = product
            self.version = version
            self.serial = serial
            self.asset = asset
        }
    }

    /// SMBIOS type 3.
    public struct Chassis: Equatable, Sendable {
        public var manufacturer, version, serial, asset, sku: String?
        public init(manufacturer: String? = nil, version: String? = nil, serial: String? = nil,
                    asset: String? = nil, sku: String? = nil) {
            self.manufacturer = manufacturer
            self.version = version
            self.serial = serial
            self.asset = asset
            self.sku = sku
        }
    }
}
