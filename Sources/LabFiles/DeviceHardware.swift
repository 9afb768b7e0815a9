public import Autopilot
import DeviceIdentity

extension LabFile {
    /// The hardware a lab device reports in its hardware hash, for a given collection.
    public func hashedHardware(of device: LabDevice, collection: Int = 0) -> HashedHardware {
        let model = model(of: device)
        let tpm: HashedHardware.TPMVersion = switch model.tpm {
        case .none: .none
        case .v1_2: .v1_2
        case .v2_0: .v2_0
        }
        return HashedHardware(identity: device.identity, tpm: tpm, ramGB: max(1, (model.memoryMiB + 1023) / 1024),
                              diskGB: model.diskGiB, cpuCores: model.vcpus, collection: collection)
    }

    /// The hash a device presents at a collection: its cloned field hash for the first
    /// collection when it has one, otherwise one built from its identity.
    public func hardwareHash(of device: LabDevice, collection: Int = 0) -> String {
        if collection == 0, let cloned = device.hardwareHash { return cloned }
        return HardwareHashEncoder.encode(hashedHardware(of: device, collection: collection))
    }
}
