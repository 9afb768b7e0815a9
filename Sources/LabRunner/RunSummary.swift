import Foundation
import Autopilot
import DeviceProtocol
import LabController
import LabStore
import LabTopology

/// Turns a run's events into progress lines, per-device results and the event log.
enum RunSummary {
    /// How many devices are in each phase now (finished ones by outcome).
    static func phaseCounts(_ lab: Lab) throws -> [String: Int] {
        let latest = try lab.store.latestEvents()
        var counts: [String: Int] = [:]
        for device in try lab.store.devices() {
            let key: String = switch device.lifecycle {
            case .factory, .wiped: "waiting"
            case .deployed: "business-ready"
            case .failed: "failed"
            case .resealed: "resealed"
            case .retired: "retired"
            case .provisioning: latest[device.name]?.phase.rawValue ?? "boot"
            }
            counts[key, default: 0] += 1
        }
        return counts
    }

    static let order = ["waiting"] + OOBEPhase.allCases.map(\.rawValue) + ["resealed", "business-ready", "failed", "retired"]

    static func progressLine(_ counts: [String: Int], total: Int) -> String {
        let done = (counts["business-ready"] ?? 0) + (counts["failed"] ?? 0) + (counts["resealed"] ?? 0) + (counts["retired"] ?? 0)
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let phases = order.compactMap { key in counts[key].flatMap { $0 > 0 ? "\(key) \($0)" : nil } }
        return "[\(bar)] \(done)/\(total)  " + phases.joined(separator: " | ")
    }

    static func report(lab: Lab, started: Date, checkDefaults: Bool, steps: [StepResult] = []) throws -> RunReport {
        let since = started.addingTimeInterval(-0.001)
        let log = try EventLog(lab: lab, started: started)
        let resolver = AssignmentResolver(configuration: lab.autopilot.configuration)
        let records = Dictionary(uniqueKeysWithValues: try lab.store.devices().map { ($0.name, $0) })
        // One device's events at a time (a 10,000-device run has 400,000 of them): read, written
        // to the log, summed up, let go. The log lists devices by name; results follow the lab file.
        var byName: [String: DeviceResult] = [:]
        for device in lab.topology.devices.sorted(by: { $0.name < $1.name }) {
            let mine = try lab.store.events(of: device.name, receivedSince: since)
            try log.append(mine)
            let record = records[device.name]
            let registration = try lab.store.registeredDevices(serial: device.identity.serial)
                .first { $0.tenantID == lab.autopilot.tenant.id }
            let profile = registration.flatMap(resolver.profile(for:))
            let mode = profile.map { $0.isHybrid ? "hybrid" : $0.mode.rawValue } ?? "none"
            // A failure counts only if the device is still failed (a recovered device is not).
            let outcome = record?.lifecycle == .failed
                ? mine.last { $0.step == DeviceEvent.outcomeStep && $0.status == .failed } : nil
            let ready = mine.last { $0.phase == .desktop && $0.step == "ready" && $0.status == .completed }
            let result: String = switch record?.lifecycle {
            case .deployed?: "business-ready"
            case .failed?: "failed"
            case .resealed?: "resealed"
            case let other?: other.rawValue
            case nil: "not-in-lab"
            }
            let event = mine.compactMap { $0.message }.lazy.compactMap(Self.eventID).first
            // A phase's time is the sum of its stretches: a device that reboots goes through
            // some phases twice.
            var phases: [String: Double] = [:]
            var stretch: (phase: OOBEPhase, start: Date, end: Date)?
            for event in mine {
                if let current = stretch, current.phase == event.phase {
                    stretch = (current.phase, current.start, event.time)
                    continue
                }
                if let done = stretch { phases[done.phase.rawValue, default: 0] += done.end.timeIntervalSince(done.start) }
                stretch = (event.phase, event.time, event.time)
            }
            if let done = stretch { phases[done.phase.rawValue, default: 0] += done.end.timeIntervalSince(done.start) }
            let total = mine.isEmpty ? 0 : mine.last!.time.timeIntervalSince(mine.first!.time)
            // Without a scenario every device is expected business-ready unless the lab file says
            // otherwise; with one, only what the lab file says is checked.
            let expected = device.expect ?? (checkDefaults ? DeviceExpectation() : nil)
            var asExpected = true
            if let expected {
                asExpected = result == expected.state.rawValue
                if expected.state == .failed {
                    if let code = expected.errorCode { asExpected = asExpected && outcome?.errorCode == code }
                    if let phase = expected.phase { asExpected = asExpected && outcome?.phase == phase }
                }
                if let id = expected.event { asExpected = asExpected && event == id }
            }
            byName[device.name] = DeviceResult(
                device: device.name, model: device.model, mode: mode, result: result,
                errorCode: (outcome?.errorCode ?? (result == "failed" ? record?.errorCode : nil)).map(ErrorCode.text),
                failedPhase: outcome?.phase.rawValue, event: event, deviceName: ready?.message.flatMap(Self.deviceName),
                message: outcome?.message, phaseSeconds: phases, totalSeconds: (total * 1000).rounded() / 1000,
                expected: expected?.summary ?? "-", asExpected: asExpected, timeline: DeviceTimeline(events: mine, origin: started))
        }
        try log.close()
        return RunReport(lab: lab.topology.lab, file: lab.topology.source, description: lab.topology.description,
                         started: started, devices: lab.topology.devices.compactMap { byName[$0.name] }, steps: steps,
                         seconds: Date().timeIntervalSince(started), events: log.count, eventLog: log.file.path)
    }

    /// `event 807: ...` in a message.
    private static func eventID(_ message: String) -> Int? {
        guard message.hasPrefix("event ") else { return nil }
        return Int(message.dropFirst(6).prefix { $0.isNumber })
    }

    /// `business-ready as NAME...` in the desktop event.
    static func deviceName(_ message: String) -> String? {
        guard let range = message.range(of: "business-ready as ") else { return nil }
        return String(message[range.upperBound...].prefix { $0 != " " && $0 != ":" && $0 != "," })
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
            throw RunError("cannot create the event log \(file.path)")
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
