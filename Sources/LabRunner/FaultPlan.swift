import Autopilot
import DeviceIdentity
import DeviceProtocol
import LabController
import LabTopology

/// Resolves the lab file's fault rules to devices and stores each device's faults; "other
/// tenant" faults move the device's registration to another tenant.
enum FaultPlan {
    static func apply(_ lab: Lab) throws -> [String: [Fault]] {
        let topology = lab.topology
        let resolver = AssignmentResolver(configuration: lab.autopilot.configuration)
        var byDevice: [String: [Fault]] = [:]
        for rule in topology.faults {
            for device in topology.devices where try targets(rule.devices, device, lab: lab, resolver: resolver, salt: rule.fault.id) {
                byDevice[device.name, default: []].append(rule.fault)
                if rule.fault.kind == .otherTenant { try lab.autopilot.moveToOtherTenant(serial: device.identity.serial) }
            }
        }
        try lab.store.setLabFaults(byDevice)
        return byDevice
    }

    private static func targets(_ targets: FaultTargets, _ device: LabDevice, lab: Lab, resolver: AssignmentResolver,
                                salt: String) throws -> Bool {
        switch targets {
        case .devices(let names): return names.contains(device.name) || names.contains(device.identity.serial)
        case .model(let model): return device.model == model
        case .group(let group):
            guard let registration = try lab.store.registeredDevices(serial: device.identity.serial).first else { return false }
            return resolver.groups(of: registration).contains { $0.displayName == group }
        case .percent(let percent):
            // Deterministic: the same devices every run.
            let digest = SHA256.hash("\(salt)\u{0}\(device.name)")
            let value = (UInt32(digest[0]) << 8 | UInt32(digest[1])) % 10_000
            return Double(value) < percent * 100
        }
    }
}
