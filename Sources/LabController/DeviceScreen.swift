public import Foundation
public import LabService
public import Libvirt

/// A running lab device's screen, through libvirt (`virDomainScreenshot`), as PNG: for a run
/// (the admin API's screen route) and without one (`pxelab screenshot` while a run goes on).
public enum DeviceScreen {
    /// What a domain's screen shows, as PNG; the hypervisor's image passes through a file in the
    /// lab folder.
    public static func png(of domain: Domain, in directory: LabDirectory) throws -> Data {
        guard try domain.isActive() else { throw LabError.notRunning(device: domain.name) }
        let file = directory.path("screens/\(domain.name).\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: file) }  // a screen file left behind is harmless
        let mimeType = try domain.screenshot(to: file)
        return try ScreenImage.png(from: Data(contentsOf: file), mimeType: mimeType)
    }

    /// What a device of a lab shows, found on the lab's hosts by its name or serial.
    public static func png(of device: String, in directory: LabDirectory) throws -> Data {
        let listings = try DeviceInventory.devices(in: directory).filter { $0.name == device || $0.serial == device }
        guard let listing = listings.first(where: { $0.state == "running" }) ?? listings.first else {
            throw LabError.noDevice(device, lab: directory.lab)
        }
        let host = try OpenHost.open(uri: listing.uri, directory: directory)
        return try png(of: host.connection.domain(named: listing.name), in: directory)
    }
}
