public import Foundation
import DeviceProtocol
import LabStore
import LabFiles
import Synchronization

/// The lab's devices at work on a device runtime: deploying them, starting them from a
/// factory-fresh state, and the lifecycle flows (``Fleet+Flows``). `pxelab run`, the flow
/// commands, scenario steps and the admin API all act on devices through it. One operation at a
/// time acts on a device: another one asking for it meanwhile is refused (``LabError/deviceBusy(_:)``).
public final class Fleet: Sendable {
    public let lab: Lab
    let runtime: any DeviceRuntime
    /// The repair a recovery in progress starts at a device's recovery screen.
    private let repairs = Mutex<[String: NextAction]>([:])
    /// What operations act on now.
    private let busy = Mutex(Occupancy())

    /// The devices an operation acts on, and those of them whose flow a power-off cut.
    private struct Occupancy {
        var devices: Set<String> = []
        var cut: Set<String> = []
    }

    public init(lab: Lab, runtime: any DeviceRuntime) {
        self.lab = lab
        self.runtime = runtime
    }

    /// Powers devices on and drives each to its end state, all at once. A device the lab file
    /// expects to end resealed stops at its reseal.
    public func deploy(_ keys: [String]) async throws {
        let devices = try keys.map { try lab.device($0) }
        try await occupying(devices) {
            await AllocatorTrim().during {
                await withTaskGroup(of: Void.self) { group in
                    for device in devices { group.addTask { _ = await self.run(device, Self.plan(deploying: device)) } }
                }
            }
        }
    }

    /// Starts every device from a factory-fresh state: disks wiped (the firmware's counters
    /// kept), lifecycle back to factory, no MDM enrollment remembered, and the tenant and faults
    /// as the lab file declares them.
    public func factoryReset() async throws {
        let lab = lab
        let devices = lab.labFile.devices
        let names = devices.map(\.name)
        try await occupying(devices) {
            try await Offload.run {
                try lab.store.clearEnrollments()
                // The tenant too starts as the lab file says, with the lab file's faults only.
                try lab.autopilot.restore(from: lab.labFile)
                try lab.store.clearFaults(of: names)
                try lab.applyLabFileFaults()
            }
            try await runtime.eraseDisks(of: devices)
            try await Offload.run { try lab.store.setLifecycle(.factory, of: names, at: lab.clock()) }
        }
    }

    /// The repair a recovery in progress starts at the device's recovery screen.
    func repair(for name: String) -> NextAction? { repairs.withLock { $0[name] } }

    func setRepair(_ repair: NextAction?, for name: String) { repairs.withLock { $0[name] = repair } }

    /// What a running device's screen shows, as PNG.
    public func screen(of key: String) async throws -> Data {
        try await runtime.screen(of: lab.device(key))
    }

    /// How a deployment runs: a device the lab file expects to end resealed stops at its reseal,
    /// and one on the error of its last attempt tries again.
    static func plan(deploying device: LabDevice) -> DeviceRun.Plan {
        .init(stopAtReseal: device.expect?.state == .resealed, retryAfterFailure: true)
    }

    /// Marks the flow acting on the device now as cut by a power-off; false when nothing acts on it.
    func cutFlow(of name: String) -> Bool {
        busy.withLock { busy in
            guard busy.devices.contains(name) else { return false }
            busy.cut.insert(name)
            return true
        }
    }

    /// Runs the device (``DeviceRuntime/run(_:_:)``) unless a power-off cut its flow before it
    /// got there. Checked as the run starts: a power-off after that cuts the run itself.
    func run(_ device: LabDevice, _ plan: DeviceRun.Plan) async -> DeviceRun {
        if busy.withLock({ $0.cut.contains(device.name) }) {
            return DeviceRun(end: .failed(phase: .boot, errorCode: nil, message: "\(device.name) was powered off before its flow began"), boots: 0)
        }
        return await runtime.run(device, plan)
    }

    /// Runs `body` as the only operation on these devices.
    func occupying<Result: Sendable>(_ devices: [LabDevice], _ body: () async throws -> Result) async throws -> Result {
        let names = Set(devices.map(\.name))
        try busy.withLock { busy in
            if let taken = names.intersection(busy.devices).sorted().first { throw LabError.deviceBusy(taken) }
            busy.devices.formUnion(names)
        }
        defer {
            busy.withLock { busy in
                busy.devices.subtract(names)
                busy.cut.subtract(names)
            }
        }
        return try await body()
    }
}
