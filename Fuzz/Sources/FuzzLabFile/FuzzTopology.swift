// Fuzzes the lab-file loader: `LabFile.parse(_:file:)` (LabFileLoader) on the input as text,
// YAML or JSON. Refusals are expected; crashes are findings, and so are violations of what the
// loader promises:
// - a refused file lists at least one problem, in file order;
// - an accepted fleet has unique device names, MACs and UUIDs, every device on a declared model
//   and host (`model(of:)` and `host(of:)` answer for each), and a service configuration.
import Foundation
import LabFiles
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLabFile(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = fuzzText(start, count)
    let labFile: LabFile
    do {
        labFile = try LabFile.parse(text, file: "fuzz.yaml")
    } catch {
        require(!error.diagnostics.isEmpty, "a refused lab file lists no problem")
        require(zip(error.diagnostics, error.diagnostics.dropFirst()).allSatisfy { ($0.line, $0.column) <= ($1.line, $1.column) },
                "the problems are not in file order")
        _ = error.description
        return 0
    }
    let devices = labFile.devices
    require(allDistinct(devices.map(\.name)), "two devices share a name")
    require(allDistinct(devices.map(\.identity.mac)), "two devices share a MAC")
    require(allDistinct(devices.map(\.identity.uuid)), "two devices share a UUID")
    require(!labFile.hosts.isEmpty, "an accepted lab has no host")
    for device in devices {
        require(labFile.models.contains { $0.id == device.model }, "\(device.name)'s model \(device.model) is not declared")
        require(labFile.model(of: device).id == device.model, "model(of:) answers another model for \(device.name)")
        require(labFile.hosts.contains { $0.name == device.host }, "\(device.name)'s host \(device.host) is not declared")
        _ = labFile.host(of: device)
    }
    _ = labFile.serviceConfiguration
    return 0
}
