import ArgumentParser
import LabController
import LabService
import LabFiles

struct Up: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Define every device of a lab on its libvirt host.",
        discussion: """
        Each device becomes a libvirt domain with its SMBIOS identity, memory, vCPUs, state disk, \
        serial console and network-boot NIC, plus pxelab metadata naming its lab. Running `up` again \
        changes nothing; a device whose definition changed in the lab file is redefined; a device the \
        file no longer declares is removed. If anything fails, the changes already made are undone.

        Without --libvirt, devices go to the hosts the lab file declares (the embedded default, \
        test:///default, when it declares none). With --libvirt qemu:///system they become real QEMU \
        domains.
        """
    )

    @OptionGroup var lab: LabOptions

    @Option(name: .customLong("libvirt"), help: "A libvirt URI that replaces every host of the lab file.")
    var uri: String?

    @Option(help: "The controller's HTTP port; real VMs network-boot from http://10.0.2.2:PORT/boot.ipxe.")
    var port: Int = Lab.defaultEndpointPort

    func run() throws {
        let labFile = try lab.loadLabFile()
        let provisioner = LabProvisioner(labFile: labFile, directory: lab.directory(for: labFile),
                                         uriOverride: uri, endpointPort: port)
        let changes: [DeviceChange]
        do {
            changes = try provisioner.up()
        } catch {
            printError("pxelab up: \(error)")
            throw ExitCode.failure
        }
        var table = Table("DEVICE", "SERIAL", "MODEL", "MAC", "HOST", "CHANGE")
        for device in labFile.devices {
            guard let change = changes.first(where: { $0.device == device.name }) else { continue }
            table.add(device.name, device.identity.serial, device.model, device.identity.mac.description,
                      change.uri, change.summary)
        }
        for change in changes where change.action == .removed {
            table.add(change.device, "", "", "", change.uri, change.summary)
        }
        print(table.render())
        let counts = Dictionary(grouping: changes, by: \.action.word).mapValues(\.count)
        print("\nlab '\(labFile.lab)': " + ["defined", "updated", "replaced", "unchanged", "removed"]
            .compactMap { word in counts[word].map { "\($0) \(word)" } }.joined(separator: ", "))
    }
}

extension DeviceChange {
    var summary: String {
        var text = action.word
        if case .updated(let fields) = action { text += " (\(fields.joined(separator: ", ")))" }
        if let note { text += "; \(note)" }
        return text
    }
}

extension DeviceChange.Action {
    var word: String {
        switch self {
        case .defined: "defined"
        case .updated: "updated"
        case .replaced: "replaced"
        case .unchanged: "unchanged"
        case .removed: "removed"
        }
    }
}
