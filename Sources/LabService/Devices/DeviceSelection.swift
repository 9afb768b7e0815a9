public import LabFiles
import Autopilot

extension Lab {
    /// The devices a selector picks, in lab order.
    public func devices(selectedBy selector: DeviceSelector) throws -> [LabDevice] {
        let devices = labFile.devices
        switch selector {
        case .all: return devices
        case .devices(let keys): return try keys.map { try device($0) }
        case .model(let model): return devices.filter { $0.model == model }
        case .groupTag(let tag):
            return try devices.filter { device in
                try store.registeredDevices(serial: device.identity.serial).contains { $0.groupTag == tag }
            }
        case .group(let group):
            let resolver = AssignmentResolver(configuration: autopilot.configuration)
            return try devices.filter { try isMember($0, of: group, resolver: resolver) }
        }
    }

    /// Whether a device is a member of a group (by display name) through a registration of its serial.
    func isMember(_ device: LabDevice, of group: String, resolver: AssignmentResolver) throws -> Bool {
        try store.registeredDevices(serial: device.identity.serial).contains { registration in
            resolver.groups(of: registration).contains { $0.displayName == group }
        }
    }
}
