import ArgumentParser
import Foundation
import LabController

struct Screenshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Save what a running device's screen shows, as PNG (virDomainScreenshot).",
        discussion: """
        A real VM's screen shows its guest's console: each OOBE page, the ESP's progress, errors. Use it \
        while `pxelab run` drives the lab in another terminal; the admin API serves the same image at \
        GET /api/v1/devices/NAME/screen.
        """
    )

    @Argument(help: "The device's name or serial.")
    var device: String

    @OptionGroup var selection: LabSelection

    @Option(name: .shortAndLong, help: "The PNG file to write (default: DEVICE.png).")
    var output: String?

    func run() throws {
        let lab = try selection.open()
        let file = URL(fileURLWithPath: output ?? "\(device).png")
        do {
            try DeviceScreen.png(of: device, in: lab.directory).write(to: file)
        } catch {
            printError("pxelab screenshot: \(error)")
            throw ExitCode.failure
        }
        print(file.path)
    }
}
