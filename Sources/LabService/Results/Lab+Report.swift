public import Foundation
import Autopilot
import DeviceProtocol
import LabStore
import LabFiles

extension Lab {
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
            let outcome = result == .failed ? mine.lastFailure : nil
            let event = mine.autopilotEvent
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
                device: device.name, model: device.model, platform: HardwarePlatform(labFile.model(of: device)).text, mode: registration.flatMap(resolver.profile(for:))?.scenario,
                result: result,
                errorCode: (outcome?.errorCode ?? (result == .failed ? record?.errorCode : nil)).map(ErrorCode.init),
                failedPhase: outcome?.phase, event: event, deviceName: mine.lastReady?.deviceName, message: outcome?.message,
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
