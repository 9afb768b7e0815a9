public import Foundation
import Libvirt

/// The screen of a lab device that is running on one of its lab's hosts, through libvirt
/// (`virDomainScreenshot`), without a session: `pxelab screenshot` while a run goes on.
public enum DeviceScreen {
    /// Writes what the device's screen shows to a file, in the hypervisor's format, and returns
    /// its MIME type. `device` is a device's name or serial.
    public static func capture(device: String, in directory: LabDirectory, to file: URL) throws -> String {
        let listings = try DeviceInventory.devices(in: directory).filter { $0.name == device || $0.serial == device }
        guard !listings.isEmpty else {
            throw DeviceScreenError(message: "lab '\(directory.lab)' has no device named or with serial '\(device)' on its hosts")
        }
        guard let running = listings.first(where: { $0.state == "running" }) else {
            throw DeviceScreenError(message: "\(listings[0].name) is \(listings[0].state): only a running device has a screen")
        }
        let session = try HostSession.open(uri: running.uri, directory: directory)
        return try session.connection.domain(named: running.name).screenshot(to: file)
    }
}

/// No screen to capture.
public struct DeviceScreenError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
