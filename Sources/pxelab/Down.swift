import ArgumentParser
import LabController
import LabService

struct Down: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Power off and remove every device of a lab.",
        discussion: """
        Finds the lab's domains by the pxelab metadata inside them, on every host the lab was brought \
        up on, powers them off and undefines them (with their snapshot metadata and NVRAM). Domains of \
        other labs, and domains pxelab did not create, are never touched.
        """
    )

    @OptionGroup var lab: LabOptions

    @Option(name: .customLong("libvirt"), help: "Only remove the lab's devices on this libvirt URI.")
    var uri: String?

    func run() throws {
        let labFile = try lab.loadLabFile()
        let provisioner = LabProvisioner(labFile: labFile, directory: lab.directory(for: labFile), uriOverride: uri)
        do {
            let changes = try provisioner.down()
            for change in changes { print("removed \(change.device) from \(change.uri)") }
            print("lab '\(labFile.lab)': \(changes.count) devices removed")
        } catch {
            printError("pxelab down: \(error)")
            throw ExitCode.failure
        }
    }
}
