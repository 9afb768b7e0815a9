import Foundation
public import LabService
public import LibvirtXML
public import LabFiles
import DeviceIdentity

/// Builds the libvirt domain for a lab device: its SMBIOS identity, hardware, state disk,
/// serial console, network-boot NIC and pxelab metadata.
public struct DeviceDomain: Sendable {
    /// The address QEMU's user-mode network gives the host, as seen from inside a VM.
    public static let hostAddressFromGuest = "10.0.2.2"

    public let labFile: LabFile
    public let directory: LabDirectory
    public let endpointPort: Int

    public init(labFile: LabFile, directory: LabDirectory, endpointPort: Int = Lab.defaultEndpointPort) {
        self.labFile = labFile
        self.directory = directory
        self.endpointPort = endpointPort
    }

    /// The bootstrap script URL that QEMU's DHCP server hands to iPXE.
    public var bootFileURL: String { "http://\(Self.hostAddressFromGuest):\(endpointPort)/boot.ipxe" }

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
            os: DomainSpec.OS(bootOrder: [.network, .hd], smbiosMode: .sysinfo),
            acpi: true,
            disks: [DomainSpec.Disk(path: StateDisks(lab: labFile.lab, directory: directory).path(of: device.name).path, target: StateDisk.target)],
            // The test driver has no QEMU command line, so it gets a libvirt NIC carrying the MAC;
            // QEMU gets the network-boot NIC instead.
            interfaces: isQEMU ? [] : [DomainSpec.Interface(kind: .user, mac: identity.mac)],
            serialConsole: .file(directory.path("console/\(device.name).log").path),
            networkBoot: isQEMU ? QEMUNetworkBoot(bootFileURL: bootFileURL, mac: identity.mac) : nil,
            vncListen: isQEMU ? "127.0.0.1" : nil,
            labMetadata: LabMetadata(lab: labFile.lab, device: device.name, serial: identity.serial,
                                     model: device.model, groupTag: device.groupTag, mac: identity.mac))
    }
}
