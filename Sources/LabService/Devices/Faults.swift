public import DeviceProtocol
import LabStore

extension Lab {
    /// Injects a fault into a device (from its next boot on), beside the lab file's; an
    /// `other-tenant` fault moves the device's registration to another tenant at once.
    @discardableResult
    public func inject(_ fault: Fault, into key: String) throws -> Fault {
        let device = try device(key)
        var fault = fault
        if !fault.id.hasPrefix(LabStore.injectedFaultPrefix) { fault.id = LabStore.injectedFaultPrefix + fault.id }
        if fault.kind == .otherTenant { try autopilot.moveToOtherTenant(serial: device.identity.serial) }
        try store.addFault(fault, to: device.name)
        return fault
    }

    /// Clears a device's faults, the lab file's and injected ones; returns how many there were.
    @discardableResult
    public func clearFaults(of key: String) throws -> Int {
        try store.clearFaults(of: device(key).name)
    }

    /// A device's faults, as it fetches them at its next boot.
    public func faults(of key: String) throws -> [Fault] {
        try store.faults(of: device(key).name)
    }
}
