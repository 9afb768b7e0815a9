import LabStore
public import DeviceProtocol

/// Where a lab's devices are now: how many wait to start, how many are in each phase, and how
/// many finished, by outcome.
public struct FleetProgress: Sendable, Equatable {
    public var total: Int
    public var waiting = 0
    public var inPhase: [OOBEPhase: Int] = [:]
    public var finished: [DeviceOutcome: Int] = [:]

    /// Devices done with what they were doing.
    public var done: Int { finished.values.reduce(0, +) }
}

extension Lab {
    /// Where the lab's devices are now.
    public func progress() throws -> FleetProgress {
        let latest = try store.latestEvents()
        var progress = FleetProgress(total: labFile.devices.count)
        for device in try store.devices() {
            let outcome = DeviceOutcome(device.lifecycle)
            if outcome.isFinished {
                progress.finished[outcome, default: 0] += 1
            } else if device.lifecycle == .provisioning {
                progress.inPhase[latest[device.name]?.phase ?? .boot, default: 0] += 1
            } else {
                progress.waiting += 1
            }
        }
        return progress
    }
}
