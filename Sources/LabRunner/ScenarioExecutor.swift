import Foundation
import DeviceProtocol
import LabService
import LabStore
import LabFiles
import Synchronization

/// Runs a lab's scenario steps in order on its fleet, checking each step's expectations: the
/// scenario's front door. Each step calls the lab's service and records what happened.
final class ScenarioExecutor: Sendable {
    let fleet: Fleet
    /// The most recent flow of each device, for `expect` steps on kept and removed aspects.
    private let lastFlows = Mutex<[String: FlowResult]>([:])
    /// Each device's last event sequence number before the scenario: checks look at this run's
    /// events only, not at earlier runs' in the same store.
    private let baseline: [String: Int]

    init(fleet: Fleet) async throws {
        self.fleet = fleet
        let store = fleet.lab.store
        self.baseline = Dictionary(try await Offload.run { try store.devices() }.map { ($0.name, $0.lastSeq) },
                                   uniquingKeysWith: { first, _ in first })
    }

    var lab: Lab { fleet.lab }

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
            let lab = lab
            let action = step.action
            result.devices = try await Offload.run { try Self.devices(of: action, in: lab) }
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
        let lab = lab
        let fleet = fleet
        switch action {
        case .deploy:
            try await fleet.deploy(names)
        case .wait(_, let state, let timeout):
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let outcomes = try await Offload.run { try names.map { try lab.outcome(of: $0) } }
                if outcomes.allSatisfy({ $0 == state }) { break }
                guard Date() < deadline else {
                    result.passed = false
                    for (name, actual) in zip(names, outcomes) where actual != state {
                        result.checks.append(StepCheck(device: name, passed: false,
                                                       text: "timed out waiting for \(state.rawValue) (is \(actual.rawValue))"))
                    }
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        case .expect(let expectation):
            let flows = lastFlows.withLock { $0 }
            let baseline = baseline
            result.checks += try await Offload.run {
                try names.flatMap { name in try Self.check(expectation, on: name, in: lab, flow: flows[name], after: baseline[name] ?? 0) }
            }
            if result.checks.contains(where: { $0.passed == false }) { result.passed = false }
        case .reset(_, let remote):
            try await flows(into: &result) { try await fleet.reset($0, remote: remote) }
        case .repurpose(_, let wipe, let groupTag, let user):
            try await flows(into: &result) {
                try await fleet.repurpose($0, wipe: wipe, update: .init(groupTag: groupTag, assignedUser: user))
            }
        case .breakDevice(_, let how):
            for name in names { try await fleet.breakDevice(name, how: how) }
        case .recover(_, let method):
            try await flows(into: &result) { try await fleet.recover($0, method: method) }
        case .retire:
            try await flows(into: &result) { try await fleet.retire($0) }
        case .fault(_, let fault):
            try await Offload.run {
                for name in names {
                    if let fault { try lab.inject(fault, into: name) } else { try lab.clearFaults(of: name) }
                }
            }
        case .power(_, let power):
            try await flows(into: &result) { try await fleet.power($0, power) }
        case .snapshot(_, let name):
            for device in names { try await fleet.snapshot(device, as: name) }
        case .revert(_, let name):
            for device in names { try await fleet.revert(device, to: name) }
        case .importCSV(let path):
            let file = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: lab.labFile.source).deletingLastPathComponent())
            let registered = try await Offload.run { try lab.autopilot.importCSV(try Data(contentsOf: file), source: file.lastPathComponent) }
            result.checks.append(StepCheck(device: nil, passed: nil, text: "registered \(registered.count) devices from \(file.lastPathComponent)"))
        case .setGroupTag(_, let tag):
            try await Offload.run {
                for name in names { try lab.autopilot.update(serial: try lab.device(name).identity.serial, .init(groupTag: tag)) }
            }
        case .assignProfile(let profile, let groups):
            try await Offload.run { try lab.autopilot.assign(profileNamed: profile, to: groups) }
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
                                           text: "\(flow.flow.rawValue) -> \(flow.result.rawValue)" + (flow.errorCode.map { " \($0)" } ?? "")
                                               + " through " + flow.phases.map(\.rawValue).joined(separator: ", ")))
        }
    }

    /// Checks one device against an expectation: one check per thing expected.
    static func check(_ expectation: Expectation, on name: String, in lab: Lab, flow: FlowResult?, after baseline: Int) throws
        -> [StepCheck] {
        var checks: [StepCheck] = []
        func verify(_ ok: Bool, _ what: String) { checks.append(StepCheck(device: name, passed: ok, text: what)) }
        do {
            let record = try lab.store.device(named: name)
            let events = try lab.store.events(of: name, after: baseline)
            if let state = expectation.state {
                let actual = try lab.outcome(of: name)
                verify(actual == state, "state \(state.rawValue) (is \(actual.rawValue))")
            }
            if let code = expectation.errorCode {
                let failure = events.last { $0.status == .failed && $0.errorCode != nil }
                let actual = failure?.errorCode ?? record?.errorCode
                verify(actual == code, "error \(ErrorCode.text(code)) (is \(actual.map(ErrorCode.text) ?? "none"))")
            }
            if let phase = expectation.phase {
                let failure = events.lastFailure ?? events.last { $0.status == .failed }
                verify(failure?.phase == phase, "failure in \(phase.rawValue) (is \(failure?.phase.rawValue ?? "none"))")
            }
            for pattern in expectation.eventPresent {
                verify(events.contains { matches($0, pattern) }, "event \(pattern) present")
            }
            for pattern in expectation.eventAbsent {
                verify(!events.contains { matches($0, pattern) }, "event \(pattern) absent")
            }
            if let max = expectation.maxSeconds {
                verify(flow.map { $0.seconds <= max } ?? false, "took at most \(max) s (took \(took(flow)))")
            }
            if let min = expectation.minSeconds {
                verify(flow.map { $0.seconds >= min } ?? false, "took at least \(min) s (took \(took(flow)))")
            }
            for aspect in expectation.kept {
                verify(flow?.kept.contains(aspect) == true,
                       "kept \(aspect.rawValue) (kept: \(flow.map { names($0.kept) } ?? "no flow"))")
            }
            for aspect in expectation.removed {
                verify(flow?.removed.contains(aspect) == true,
                       "removed \(aspect.rawValue) (removed: \(flow.map { names($0.removed) } ?? "no flow"))")
            }
            if let pattern = expectation.deviceName {
                let actual = events.lastReady?.deviceName
                verify(actual.map { matches($0, glob: pattern) } ?? false, "device name \(pattern) (is \(actual ?? "none"))")
            }
        } catch {
            verify(false, "could not be checked: \(error)")
        }
        return checks
    }

    /// A flow's time, for a check's words.
    private static func took(_ flow: FlowResult?) -> String {
        flow.map { String(format: "%.2f s", $0.seconds) } ?? "no flow"
    }

    private static func names(_ aspects: Set<DeviceAspect>) -> String {
        aspects.sorted().map(\.rawValue).joined(separator: ", ")
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

    /// The devices a step acts on or checks, in lab order.
    static func devices(of action: ScenarioStep.Action, in lab: Lab) throws -> [String] {
        let selector: DeviceSelector? = switch action {
        case .deploy(let selector), .wait(let selector, _, _), .reset(let selector, _), .repurpose(let selector, _, _, _),
             .breakDevice(let selector, _), .recover(let selector, _), .retire(let selector), .fault(let selector, _),
             .power(let selector, _), .snapshot(let selector, _), .revert(let selector, _), .setGroupTag(let selector, _):
            selector
        case .expect(let expectation): expectation.devices
        case .importCSV, .assignProfile, .parallel: nil
        }
        if case .parallel(let steps) = action {
            let picked = Set(try steps.flatMap { try devices(of: $0.action, in: lab) })
            return lab.labFile.devices.map(\.name).filter(picked.contains)
        }
        return try selector.map { try lab.devices(selectedBy: $0).map(\.name) } ?? []
    }

    static func summary(_ action: ScenarioStep.Action) -> String {
        switch action {
        case .deploy(let selector): "deploy \(selector.text)"
        case .wait(let selector, let state, _): "wait for \(selector.text) to be \(state.rawValue)"
        case .expect(let expectation): "expect \(expectation.devices.text)"
        case .reset(let selector, let remote): "\(remote ? "remote" : "local") reset of \(selector.text)"
        case .repurpose(let selector, let wipe, let tag, _): "repurpose \(selector.text) (\(wipe.rawValue)\(tag.map { ", group tag \($0)" } ?? ""))"
        case .breakDevice(let selector, let how): "break \(selector.text): \(how.rawValue)"
        case .recover(let selector, let method): "recover \(selector.text) by \(method.text)"
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
