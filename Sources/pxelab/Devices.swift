import ArgumentParser
import Foundation
import LabController
import LabService
import LabFiles

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List lab devices as libvirt sees them: name, serial, model, MAC, firmware, power state and host.",
        discussion: """
        Devices are found through the pxelab metadata stored in each libvirt domain, so the list is \
        right even after the controller restarts. By default every lab in the state folder is listed; \
        --lab narrows it to one lab file, --libvirt lists every pxelab device on one libvirt URI.
        """
    )

    @Option(help: "Only this lab file's devices.")
    var lab: String?

    @Option(name: .customLong("libvirt"), help: "List the pxelab devices on this libvirt URI.")
    var uri: String?

    @Option(name: .customLong("state-dir"), help: "Where lab state lives (default: .pxelab or $PXELAB_STATE_DIR).")
    var stateDirectory: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let root = stateDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? LabDirectory.defaultRoot
        var listings: [DeviceListing] = []
        do {
            if let lab {
                let labFile: LabFile
                do { labFile = try LabFile.load(file: lab) } catch { printError(error.description); throw ExitCode(2) }
                let directory = LabDirectory(root: root, lab: labFile.lab)
                listings = try uri.map { try DeviceInventory.devices(on: $0, directory: directory, lab: labFile.lab) }
                    ?? DeviceInventory.devices(in: directory)
            } else if let uri {
                listings = try DeviceInventory.devices(on: uri, directory: LabDirectory(root: root, lab: "_"), lab: nil)
            } else {
                listings = try LabDirectory.all(under: root).flatMap(DeviceInventory.devices(in:))
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("pxelab devices: \(error)")
            throw ExitCode.failure
        }
        if json {
            try printJSON(listings)
            return
        }
        guard !listings.isEmpty else {
            print("No lab devices. Bring a lab up with: pxelab up Topologies/demo.yaml")
            return
        }
        var table = Table("LAB", "NAME", "SERIAL", "MODEL", "MAC", "GROUP TAG", "FIRMWARE", "STATE", "HOST", "URI")
        for device in listings {
            table.add(device.lab, device.name, device.serial, device.model ?? "", device.mac ?? "",
                      device.groupTag ?? "", device.platform ?? "virtual", device.state, device.host ?? "-", device.uri)
        }
        print(table.render())
    }
}
