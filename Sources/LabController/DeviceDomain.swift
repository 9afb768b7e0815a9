import Foundation
public import LabService
public import LibvirtXML
public import LabFiles
import DeviceIdentity

/// Builds the libvirt domain for a lab device: its SMBIOS identity, hardware, state disk,
/// serial console, network-boot NIC and pxelab metadata.
public struct DeviceDomain: Sendable {
    public let labFile: LabFile
    public let directory: LabDirectory
    public let endpointPort: Int

    /// Replaces every host's URI when set (`--libvirt`).
    public let uriOverride: String?
    /// Each host's ``BootAddress`` once found (finding one may resolve a name).
    private let bootAddresses = BootAddresses()

    public init(labFile: LabFile, directory: LabDirectory, endpointPort: Int = Lab.defaultEndpointPort, uriOverride: String? = nil) {
        self.labFile = labFile
        self.directory = directory
        self.endpointPort = endpointPort
        self.uriOverride = uriOverride
    }

    /// The host a device is defined on: its lab file host, or the `--libvirt` URI in its place.
    public func host(of device: LabDevice) -> LabHost {
        Self.host(of: device, in: labFile, uriOverride: uriOverride)
    }

    /// The host a device of `labFile` is defined on, `uriOverride` (`--libvirt`) in its place when set.
    public static func host(of device: LabDevice, in labFile: LabFile, uriOverride: String?) -> LabHost {
        uriOverride.map { LabHost(name: "--libvirt", uri: $0) } ?? labFile.host(of: device)
    }

    /// The address a host's VMs reach the endpoint at; an error names the host when it cannot be found.
    public func bootAddress(of host: LabHost) throws(LabError) -> String {
        try bootAddresses.of(host).get()
    }

    /// The bootstrap script URL that QEMU's DHCP server hands to iPXE on a host.
    public func bootFileURL(on host: LabHost) throws(LabError) -> String {
        bootFileURL(reaching: try bootAddress(of: host))
    }

    private func bootFileURL(reaching address: String) -> String {
        "http://\(urlHost(address)):\(endpointPort)/boot.ipxe"
    }

    /// The network-boot NIC of a real VM of `model` on `host`. With Secure Boot the firmware's own
    /// driver fetches shim from QEMU's TFTP folder (the lab's `tftp/`, or `tftp-ADDRESS/` for a
    /// host reaching the endpoint at another address; the endpoint fills them); without it,
    /// QEMU's iPXE ROM (BIOS or EFI) fetches the bootstrap script over HTTP.
    func networkBoot(of model: DeviceModel, mac: MACAddress, on host: LabHost) -> QEMUNetworkBoot {
        // An address that cannot be found fails `pxelab up` before any domain is defined
        // (``LabProvisioner``); a definition built regardless (a drift check) says where it was.
        let address = (try? bootAddress(of: host)) ?? host.bootAddress ?? Lab.hostAddressFromGuest
        guard model.secureBoot else { return QEMUNetworkBoot(bootFile: bootFileURL(reaching: address), mac: mac) }
        return QEMUNetworkBoot(bootFile: SignedBootChain.bootFile, mac: mac, tftpRoot: directory.tftp(reachingEndpointAt: address).path,
                               optionROM: "")
    }

    /// A real VM's firmware: OVMF with its own variable store in the lab's `nvram/` (made from
    /// the template with Microsoft's keys enrolled when Secure Boot is on), or SeaBIOS.
    func firmware(of model: DeviceModel, device: String) -> DomainSpec.Firmware {
        guard model.firmware == .uefi else { return .bios }
        return .uefi(.init(loader: OVMF.code(secureBoot: model.secureBoot), secureBoot: model.secureBoot,
                           variables: directory.path("nvram/\(device).fd").path,
                           variablesTemplate: OVMF.variablesTemplate(secureBoot: model.secureBoot)))
    }

    /// The swtpm-backed TPM libvirt gives a real VM of `model` (its EK certificate from swtpm's
    /// local CA); TPM 2.0 on the CRB interface, 1.2 on TIS, as hardware has them.
    static func tpm(of model: DeviceModel) -> DomainSpec.TPM? {
        switch model.tpm {
        case .none: nil
        case .v1_2: DomainSpec.TPM(model: "tpm-tis", version: "1.2")
        case .v2_0: DomainSpec.TPM(model: "tpm-crb", version: "2.0")
        }
    }

    /// The domain definition of a device on a host whose driver is `hypervisor`.
    public func spec(for device: LabDevice, hypervisor: DomainSpec.HypervisorType) -> DomainSpec {
        let model = labFile.model(of: device)
        let identity = device.identity
        let sysinfo = SMBIOSSysinfo(
            bios: .init(vendor: identity.bios?.vendor, version: identity.bios?.version, date: identity.bios?.date),
            system: .init(manufacturer: identity.manufacturer, product: identity.product, version: identity.version,
                          serial: identity.serial, uuid: identity.uuid.uuidString.lowercased(), sku: identity.sku,
                          family: identity.family),
            baseBoard: .init(manufacturer: identity.board.manufacturer, product: identity.board.product,
                             version: identity.board.version, serial: identity.board.serial),
            chassis: .init(manufacturer: identity.chassis.manufacturer, serial: identity.chassis.serial,
                           asset: identity.chassis.assetTag))
        let isQEMU = hypervisor != .test
        return DomainSpec(
            type: hypervisor,
            name: device.name,
            uuid: identity.uuid,
            title: "\(identity.manufacturer) \(identity.product) \(identity.serial)",
            memoryKiB: model.memoryMiB * 1024,
            vcpus: model.vcpus,
            sysinfo: sysinfo,
            // The test driver's virtual devices take their firmware and TPM from the lab file.
            os: DomainSpec.OS(machine: isQEMU && model.firmware == .uefi ? "q35" : nil, bootOrder: [.network, .hd],
                              smbiosMode: .sysinfo, firmware: isQEMU ? firmware(of: model, device: device.name) : .bios),
            acpi: true,
            disks: [DomainSpec.Disk(path: StateDisks(lab: labFile.lab, directory: directory).path(of: device.name).path, target: StateDisk.target)],
            // The test driver has no QEMU command line, so it gets a libvirt NIC carrying the MAC;
            // QEMU gets the network-boot NIC instead.
            interfaces: isQEMU ? [] : [DomainSpec.Interface(kind: .user, mac: identity.mac)],
            serialConsole: .file(directory.path("console/\(device.name).log").path),
            tpm: isQEMU ? Self.tpm(of: model) : nil,
            networkBoot: isQEMU ? networkBoot(of: model, mac: identity.mac, on: host(of: device)) : nil,
            vncListen: isQEMU ? "127.0.0.1" : nil,
            labMetadata: LabMetadata(lab: labFile.lab, device: device.name, serial: identity.serial,
                                     model: device.model, groupTag: device.groupTag, mac: identity.mac))
    }
}
