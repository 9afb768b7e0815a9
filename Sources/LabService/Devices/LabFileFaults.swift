public import DeviceProtocol
import Autopilot
import DeviceIdentity
import LabFiles

extension Lab {
    /// Resolves the lab file's fault rules to devices and stores each device's faults (in place of
    /// the lab file's earlier ones; injected faults stay); "other tenant" faults move the
    /// device's registration to another tenant. Returns each device's faults from the lab file.
    @discardableResult
    public func applyLabFileFaults() throws -> [String: [Fault]] {
        let resolver = AssignmentResolver(configuration: autopilot.configuration)
        var byDevice: [String: [Fault]] = [:]
        for rule in labFile.faults {
            for device in labFile.devices where try targets(rule.devices, device, resolver: resolver, salt: rule.fault.id) {
                byDevice[device.name, default: []].append(rule.fault)
                if rule.fault.kind == .otherTenant { try autopilot.moveToOtherTenant(serial: device.identity.serial) }
            }
        }
        try store.setLabFaults(byDevice)
        return byDevice
    }

    private func targets(_ targets: FaultTargets, _ device: LabDevice, resolver: AssignmentResolver, salt: String) throws -> Bool {
        switch targets {
        case .devices(let names): return names.contains(device.name) || names.contains(device.identity.serial)
        case .model(let model): return device.model == model
        case .group(let group): return try isMember(device, of: group, resolver: resolver)
        case .percent(let percent):
            // Deterministic: the same devices every run.
            let digest = SHA256.hash("\(salt)\u{0}\(device.name)")
            let value = (UInt32(digest[0]) << 8 | UInt32(digest[1])) % 10_000
            return Double(value) < percent * 100
        }
    }
}
