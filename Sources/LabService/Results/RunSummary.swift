public import Foundation
import Autopilot
public import DeviceProtocol
import LabStore
import LabFiles

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
            switch device.lifecycle {
            case .factory, .wiped: progress.waiting += 1
            case .provisioning: progress.inPhase[latest[device.name]?.phase ?? .boot, default: 0] += 1
            case .deployed, .failed, .resealed, .retired: progress.finished[outcome, default: 0] += 1
            }
        }
        return progress
    }

    /// How every device ended, from the events received since `started`, against what the lab
    /// file expects; writes the run's event log as it reads them.
    public func report(started: Date, checkDefaults: Bool, steps: [StepResult] = []) throws -> RunReport {
        let since = started.addingTimeInterval(-0.001)
        let log = try EventLog(lab: self, started: started)
        let resolver = AssignmentResolver(configuration: autopilot.configuration)
        let records = Dictionary(uniqueKeysWithValues: try store.devices().map { ($0.name, $0) })
        // One device's events at a time (a 10,000-device run has 400,000 of them): read, written
        // to the log, summed up, let go. The log lists devices by name; results follow the lab file.
        var byName: [String: DeviceResult] = [:]
        for device in labFile.devices.sorted(by: { $0.name < $1.name }) {
            let mine = try store.events(of: device.name, receivedSince: since)
            try log.append(mine)
            let record = records[device.name]
            let registration = try autopilot.registration(serial: device.identity.serial)
            let result = record.map { DeviceOutcome($0.lifecycle) } ?? .notInLab
            // A failure counts only if the device is still failed (a recovered device is not).
            let outcome = result == .failed ? mine.last { $0.step == ProtocolStep.outcome && $0.status == .failed } : nil
            let ready = mine.last { $0.phase == .desktop && $0.step == ProtocolStep.ready && $0.status == .completed }
            let event = mine.lazy.compactMap(\.autopilotEvent).first
            // Without a scenario every device is expected business-ready unless the lab file says
            // otherwise; with one, only what the lab file says is checked.
            let expected = device.expect ?? (checkDefaults ? DeviceExpectation() : nil)
            var asExpected = true
            if let expected {
                asExpected = result == expected.state
                if expected.state == .failed {
                    if let code = expected.errorCode { asExpected = asExpected && outcome?.errorCode == code }
                    if let phase = expected.phase { asExpected = asExpected && outcome?.phase == phase }
                }
                if let id = expected.event { asExpected = asExpected && event == id }
            }
            let total = mine.isEmpty ? 0 : mine.last!.time.timeIntervalSince(mine.first!.time)
            byName[device.name] = DeviceResult(
                device: device.name, model: device.model, mode: registration.flatMap(resolver.profile(for:))?.scenario,
                result: result,
                errorCode: (outcome?.errorCode ?? (result == .failed ? record?.errorCode : nil)).map(ErrorCode.init),
                failedPhase: outcome?.phase, event: event, deviceName: ready?.deviceName, message: outcome?.message,
                phaseSeconds: Self.phaseSeconds(mine), totalSeconds: (total * 1000).rounded() / 1000,
                expected: expected?.summary ?? "-", asExpected: asExpected, timeline: DeviceTimeline(events: mine, origin: started))
        }
        try log.close()
        return RunReport(lab: labFile.lab, file: labFile.source, description: labFile.description,
                         started: started, devices: labFile.devices.compactMap { byName[$0.name] }, steps: steps,
                         seconds: Date().timeIntervalSince(started), events: log.count, eventLog: log.file.path)
    }

    /// A phase's time is the sum of its stretches: a device that reboots goes through some phases twice.
    private static func phaseSeconds(_ events: [StoredEvent]) -> [OOBEPhase: Double] {
        var phases: [OOBEPhase: Double] = [:]
        var stretch: (phase: OOBEPhase, start: Date, end: Date)?
        for event in events {
            if let current = stretch, current.phase == event.phase {
                stretch = (current.phase, current.start, event.time)
                continue
            }
            if let done = stretch { phases[done.phase, default: 0] += done.end.timeIntervalSince(done.start) }
            stretch = (event.phase, event.time, event.time)
        }
        if let done = stretch { phases[done.phase, default: 0] += done.end.timeIntervalSince(done.start) }
        return phases
    }
}

extension DeviceExpectation {
    /// `failed 0x80070774 in identity event 807`.
    var summary: String {
        var parts = [state.rawValue]
        if let errorCode { parts.append(ErrorCode.text(errorCode)) }
        if let phase { parts.append("in \(phase.rawValue)") }
        if let event { parts.append("event \(event)") }
        return parts.joined(separator: " ")
    }
}

/// The run's events as JSON lines in `.pxelab/<lab>/runs/<time>/events.jsonl`, written as they
/// are read.
final class EventLog {
    let file: URL
    private(set) var count = 0
    private let handle: FileHandle

    init(lab: Lab, started: Date) throws {
        let stamp = ISO8601.format(started).replacingOccurrences(of: ":", with: "")
        let folder = lab.directory.path("runs/\(stamp)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        file = folder.appendingPathComponent("events.jsonl")
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw LabError.unwritable(file: file.path, problem: "the event log cannot be created")
        }
        handle = try FileHandle(forWritingTo: file)
    }

    func append(_ events: [StoredEvent]) throws {
        var data = Data()
        for event in events {
            data.append(EventJSON.encode(event.event, device: event.device, receivedAt: event.receivedAt))
            data.append(0x0A)
        }
        try handle.write(contentsOf: data)
        count += events.count
    }

    func close() throws { try handle.close() }
}
