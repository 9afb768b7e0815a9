import Foundation
import Autopilot
import DeviceProtocol
import LabController
import LabStore
import LabTopology

/// Runs a lab's scenario steps in order against a session, checking each step's expectations.
struct ScenarioExecutor {
    let session: LabSession
    /// The most recent flow of each device, for `expect` steps on kept and removed aspects.
    let lastFlows = Locked<[String: FlowResult]>([:])
    /// Each device's last event sequence number before the scenario: checks look at this run's
    /// events only, not at earlier runs' in the same store.
    let baseline: [String: Int]

    init(session: LabSession) {
        self.session = session
        self.baseline = Dictionary(((try? session.lab.store.devices()) ?? []).map { ($0.name, $0.lastSeq) },
                                   uniquingKeysWith: { first, _ in first })
    }

    var lab: Lab { session.lab }

    func run(_ steps: [ScenarioStep], only: Set<String>? = nil, from: String? = nil) async -> [StepResult] {
        var results: [StepResult] = []
        var started = from == nil
        for (index, step) in steps.enumerated() {
            if !started, step.name == from { started = true }
            guard started, only.map({ step.name.map($0.contains) ?? false }) ?? true else { continue }
            results.append(await execute(step, index: index + 1))
        }
        return results
    }

    func execute(_ step: ScenarioStep, index: Int) async -> StepResult {
        let start = Date()
        var result = StepResult(index: index, name: step.name, line: step.line, summary: Self.summary(step.action),
                                passed: true, devices: [], checks: [], seconds: 0, flows: [])
        do {
            result.devices = try devices(of: step.action)
            try await perform(step.action, into: &result)
        } catch {
            result.passed = false
            result.checks.append(StepCheck(device: nil, passed: false, text: "error: \(error)"))
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    /// Carries out a step on the devices already picked for it (`result.devices`).
    private func perform(_ action: ScenarioStep.Action, into result: inout StepResult) async throws {
        let names = result.devices
        switch action {
        case .deploy:
            try await session.deploy(names)
        case .wait(_, let state, let timeout):
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let states = try names.map { try label(of: $0) }
                if states.allSatisfy({ $0 == state }) { break }
                guard Date() < deadline else {
                    result.passed = false
                    for (name, actual) in zip(names, states) where actual != state {
                        result.checks.append(StepCheck(device: name, passed: false, text: "timed out waiting for \(state) (is \(actual))"))
                    }
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        case .expect(let expectation):
            for name in names { check(expectation, on: name, into: &result) }
        case .reset(_, let remote):
            try await flows(into: &result) { try await session.reset($0, remote: remote) }
        case .repurpose(_, let wipe, let groupTag, let user):
            try await flows(into: &result) {
                try await session.repurpose($0, wipe: wipe.rawValue, groupTag: groupTag, assignedUser: user)
            }
        case .breakDevice(_, let how):
            for name in names { try await session.breakDevice(name, how: how) }
        case .recover(_, let method):
            try await flows(into: &result) { try await session.recover($0, method: method) }
        case .retire:
            try await flows(into: &result) { try await session.retire($0) }
        case .fault(_, let fault):
            for name in names {
                if var fault {
                    fault.id = "api-" + fault.id
                    if fault.kind == .otherTenant { try lab.autopilot.moveToOtherTenant(serial: try session.device(name).identity.serial) }
                    try lab.store.addFault(fault, to: name)
                } else {
                    try lab.store.clearFaults(of: name)
                }
            }
        case .power(_, let power):
            try await flows(into: &result) { try await session.power($0, action: power.rawValue) }
        case .snapshot(_, let name):
            for device in names { try await session.snapshot(device, as: name) }
        case .revert(_, let name):
            for device in names { try await session.revert(device, to: name) }
        case .importCSV(let path):
            let file = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: lab.topology.source).deletingLastPathComponent())
            let registered = try lab.autopilot.importCSV(try Data(contentsOf: file), source: file.lastPathComponent)
            result.checks.append(StepCheck(device: nil, passed: nil, text: "registered \(registered.count) devices from \(file.lastPathComponent)"))
        case .setGroupTag(_, let tag):
            if let problem = GroupTag.problem(tag) { throw RunError(problem) }
            for name in names {
                let serial = try session.device(name).identity.serial
                for var registration in try lab.store.registeredDevices(serial: serial) where registration.tenantID == lab.autopilot.tenant.id {
                    registration.groupTag = tag.isEmpty ? nil : tag
                    try lab.store.update(registration)
                }
            }
        case .assignProfile(let profile, let groups):
            var found = false
            lab.autopilot.configure { configuration in
                for index in configuration.profiles.indices where configuration.profiles[index].displayName == profile {
                    configuration.profiles[index].assignments = groups
                    found = true
                }
            }
            guard found else { throw RunError("no profile named '\(profile)'") }
            try lab.store.saveConfiguration(lab.autopilot.configuration)
        case .parallel(let steps):
            let outcomes = await withTaskGroup(of: StepResult.self) { group in
                for (offset, step) in steps.enumerated() {
                    group.addTask { await self.execute(step, index: offset + 1) }
                }
                return await group.reduce(into: [StepResult]()) { $0.append($1) }
            }
            for outcome in outcomes.sorted(by: { $0.index < $1.index }) {
                result.passed = result.passed && outcome.passed
                result.checks += outcome.checks.map { StepCheck(device: $0.device, passed: $0.passed, text: "\(outcome.summary): \($0.text)") }
                result.flows += outcome.flows
            }
        }
    }

    /// Runs a flow on each of the step's devices, at the same time.
    private func flows(into result: inout StepResult,
                       _ body: @escaping @Sendable (String) async throws -> FlowResult) async throws {
        let names = result.devices
        let outcomes = try await withThrowingTaskGroup(of: FlowResult.self) { group in
            for name in names { group.addTask { try await body(name) } }
            return try await group.reduce(into: [FlowResult]()) { $0.append($1) }
        }
        for flow in outcomes.sorted(by: { $0.device < $1.device }) {
            lastFlows.withLock { $0[flow.device] = flow }
            result.flows.append(flow)
            result.checks.append(StepCheck(device: flow.device, passed: nil,
                                           text: "\(flow.flow) -> \(flow.result)" + (flow.errorCode.map { " \($0)" } ?? "")
                                               + " through " + flow.phases.joined(separator: ", ")))
        }
    }

    /// Checks one device against an expectation.
    private func check(_ expectation: Expectation, on name: String, into result: inout StepResult) {
        func verify(_ ok: Bool, _ what: String) {
            result.checks.append(StepCheck(device: name, passed: ok, text: what))
            if !ok { result.passed = false }
        }
        do {
            let record = try lab.store.device(named: name)
            let flow = lastFlows.withLock { $0[name] }
            let events = try lab.store.events(of: name, after: baseline[name] ?? 0)
            if let state = expectation.state {
                let actual = try label(of: name)
                verify(actual == state, "state \(state) (is \(actual))")
            }
            if let code = expectation.errorCode {
                let failure = events.last { $0.status == .failed && $0.errorCode != nil }
                let actual = failure?.errorCode ?? record?.errorCode
                verify(actual == code, "error \(ErrorCode.text(code)) (is \(actual.map(ErrorCode.text) ?? "none"))")
            }
            if let phase = expectation.phase {
                let failure = events.last { $0.step == DeviceEvent.outcomeStep && $0.status == .failed }
                    ?? events.last { $0.status == .failed }
                verify(failure?.phase.rawValue == phase, "failure in \(phase) (is \(failure?.phase.rawValue ?? "none"))")
            }
            for pattern in expectation.eventPresent {
                verify(events.contains { Self.matches($0, pattern) }, "event \(pattern) present")
            }
            for pattern in expectation.eventAbsent {
                verify(!events.contains { Self.matches($0, pattern) }, "event \(pattern) absent")
            }
            if let max = expectation.maxSeconds {
                let seconds = flow?.seconds ?? 0
                verify(seconds <= max, "took at most \(max) s (took \(String(format: "%.2f", seconds)) s)")
            }
            if let min = expectation.minSeconds {
                let seconds = flow?.seconds ?? 0
                verify(seconds >= min, "took at least \(min) s (took \(String(format: "%.2f", seconds)) s)")
            }
            for aspect in expectation.kept {
                verify(flow?.kept.contains(aspect) == true, "kept \(aspect) (kept: \(flow?.kept.joined(separator: ", ") ?? "no flow"))")
            }
            for aspect in expectation.removed {
                verify(flow?.removed.contains(aspect) == true,
                       "removed \(aspect) (removed: \(flow?.removed.joined(separator: ", ") ?? "no flow"))")
            }
            if let pattern = expectation.deviceName {
                let ready = events.last { $0.phase == .desktop && $0.step == "ready" && $0.status == .completed }
                let actual = ready?.message.flatMap(RunSummary.deviceName)
                verify(actual.map { Self.matches($0, glob: pattern) } ?? false, "device name \(pattern) (is \(actual ?? "none"))")
            }
        } catch {
            verify(false, "could not be checked: \(error)")
        }
    }

    /// Whether a text matches a pattern in which `*` stands for any characters.
    static func matches(_ text: String, glob pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return text == pattern }
        guard text.hasPrefix(parts[0]), text.dropFirst(parts[0].count).hasSuffix(parts.last!) else { return false }
        var rest = Substring(text.dropFirst(parts[0].count).dropLast(parts.last!.count))
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }

    /// `phase/step` or `phase/step/status`, where `*` matches anything.
    static func matches(_ event: StoredEvent, _ pattern: String) -> Bool {
        let parts = pattern.split(separator: "/").map(String.init)
        let actual = [event.phase.rawValue, event.step, event.status.rawValue]
        return parts.enumerated().allSatisfy { index, part in part == "*" || (index < actual.count && actual[index] == part) }
    }

    /// A device's state in scenario words: `business-ready` for deployed, else its lifecycle,
    /// with `not-registered` for a device the service does not know.
    func label(of name: String) throws -> String {
        guard let record = try lab.store.device(named: name) else { return "unknown" }
        return record.lifecycle == .deployed ? "business-ready" : record.lifecycle.rawValue
    }

    /// The devices a step acts on or checks, in lab order.
    func devices(of action: ScenarioStep.Action) throws -> [String] {
        let selector: DeviceSelector? = switch action {
        case .deploy(let selector), .wait(let selector, _, _), .reset(let selector, _), .repurpose(let selector, _, _, _),
             .breakDevice(let selector, _), .recover(let selector, _), .retire(let selector), .fault(let selector, _),
             .power(let selector, _), .snapshot(let selector, _), .revert(let selector, _), .setGroupTag(let selector, _):
            selector
        case .expect(let expectation): expectation.devices
        case .importCSV, .assignProfile, .parallel: nil
        }
        if case .parallel(let steps) = action {
            let picked = Set(try steps.flatMap { try devices(of: $0.action) })
            return lab.topology.devices.map(\.name).filter(picked.contains)
        }
        return try selector.map(names) ?? []
    }

    /// The devices a selector picks.
    func names(_ selector: DeviceSelector) throws -> [String] {
        let devices = lab.topology.devices
        switch selector {
        case .all: return devices.map(\.name)
        case .devices(let list):
            return try list.map { try session.device($0).name }
        case .model(let model): return devices.filter { $0.model == model }.map(\.name)
        case .groupTag(let tag):
            return try devices.filter { device in
                try lab.store.registeredDevices(serial: device.identity.serial).contains { $0.groupTag == tag }
            }.map(\.name)
        case .group(let group):
            let resolver = AssignmentResolver(configuration: lab.autopilot.configuration)
            return try devices.filter { device in
                try lab.store.registeredDevices(serial: device.identity.serial).contains { registration in
                    resolver.groups(of: registration).contains { $0.displayName == group }
                }
            }.map(\.name)
        }
    }

    static func summary(_ action: ScenarioStep.Action) -> String {
        switch action {
        case .deploy(let selector): "deploy \(selector.text)"
        case .wait(let selector, let state, _): "wait for \(selector.text) to be \(state)"
        case .expect(let expectation): "expect \(expectation.devices.text)"
        case .reset(let selector, let remote): "\(remote ? "remote" : "local") reset of \(selector.text)"
        case .repurpose(let selector, let wipe, let tag, _): "repurpose \(selector.text) (\(wipe.rawValue)\(tag.map { ", group tag \($0)" } ?? ""))"
        case .breakDevice(let selector, let how): "break \(selector.text): \(how)"
        case .recover(let selector, let method): "recover \(selector.text) by \(method)"
        case .retire(let selector): "retire \(selector.text)"
        case .fault(let selector, let fault): fault.map { "inject \($0.kind.rawValue) into \(selector.text)" } ?? "clear faults of \(selector.text)"
        case .power(let selector, let power): "power \(power.rawValue) \(selector.text)"
        case .snapshot(let selector, let name): "snapshot \(selector.text) as \(name)"
        case .revert(let selector, let name): "revert \(selector.text) to \(name)"
        case .importCSV(let path): "import \(path)"
        case .setGroupTag(let selector, let tag): "set group tag \(tag) on \(selector.text)"
        case .assignProfile(let profile, let groups): "assign \(profile) to \(groups.joined(separator: ", "))"
        case .parallel(let steps): "in parallel: " + steps.map { summary($0.action) }.joined(separator: "; ")
        }
    }
}

extension DeviceSelector {
    var text: String {
        switch self {
        case .all: "all devices"
        case .devices(let names): names.joined(separator: ", ")
        case .group(let group): "group \(group)"
        case .model(let model): "model \(model)"
        case .groupTag(let tag): "group tag \(tag)"
        }
    }
}
