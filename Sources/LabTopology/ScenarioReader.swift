import DeviceProtocol

/// Reads the `scenario` section: a list of steps, each a mapping with one action.
struct ScenarioReader {
    let log: DiagnosticLog

    /// The fields each action allows besides `name`; the action's own key comes first.
    static let actions: [String: [String]] = [
        "deploy": ["deploy"],
        "wait": ["wait", "state", "timeout"],
        "expect": ["expect", "state", "errorCode", "phase", "event", "noEvent", "maxDuration", "minDuration",
                   "kept", "removed", "deviceName"],
        "reset": ["reset", "remote"],
        "repurpose": ["repurpose", "wipe", "groupTag", "assignedUser"],
        "break": ["break", "how"],
        "recover": ["recover", "method"],
        "retire": ["retire"],
        "fault": ["fault", "inject", "phase", "step", "code", "seconds", "app", "once", "clear"],
        "power": ["power", "action"],
        "snapshot": ["snapshot", "snapshotName"],
        "revert": ["revert", "snapshotName"],
        "importCSV": ["importCSV"],
        "setGroupTag": ["setGroupTag", "groupTag"],
        "assignProfile": ["assignProfile", "groups"],
        "parallel": ["parallel"],
    ]

    func read(_ value: YAMLValue) -> [ScenarioStep] {
        value.sequence()?.compactMap(step) ?? []
    }

    private func step(_ value: YAMLValue) -> ScenarioStep? {
        guard case .mapping(let mapping) = value.node else {
            value.error("a step is a mapping such as `deploy: all`, found \(value.node.kindName)")
            return nil
        }
        let keys = mapping.keys.compactMap { $0.scalar?.string }
        let present = keys.filter { Self.actions[$0] != nil }
        guard present.count == 1, let kind = present.first else {
            let known = Self.actions.keys.sorted().joined(separator: ", ")
            value.error(present.isEmpty ? "a step needs one action: \(known)"
                                        : "a step has one action, found \(present.joined(separator: " and "))")
            return nil
        }
        guard let fields = value.mapping(allowing: ["name"] + Self.actions[kind]!),
              let argument = fields.required(kind) else { return nil }
        let selector = { () -> DeviceSelector? in self.selector(argument) }
        let action: ScenarioStep.Action?
        switch kind {
        case "deploy":
            action = selector().map { .deploy($0) }
        case "wait":
            guard let devices = selector(), let state = fields.required("state")?.nonEmptyString() else { return nil }
            action = .wait(devices, state: state, timeoutSeconds: fields["timeout"]?.duration() ?? 600)
        case "expect":
            guard let devices = selector() else { return nil }
            action = .expect(Expectation(
                devices: devices, state: fields["state"]?.nonEmptyString(),
                errorCode: fields["errorCode"].flatMap(errorCode), phase: fields["phase"]?.nonEmptyString(),
                eventPresent: fields["event"]?.stringList() ?? [], eventAbsent: fields["noEvent"]?.stringList() ?? [],
                maxSeconds: fields["maxDuration"]?.duration(), minSeconds: fields["minDuration"]?.duration(),
                kept: fields["kept"]?.stringList() ?? [], removed: fields["removed"]?.stringList() ?? [],
                deviceName: fields["deviceName"]?.nonEmptyString()))
        case "reset":
            action = selector().map { .reset($0, remote: fields["remote"]?.bool() ?? false) }
        case "repurpose":
            action = selector().map { devices in
                .repurpose(devices,
                           wipe: fields["wipe"]?.oneOf(ScenarioStep.WipeKind.allCases.map { ($0.rawValue, $0) }) ?? .full,
                           groupTag: fields["groupTag"]?.string(), assignedUser: fields["assignedUser"]?.string())
            }
        case "break":
            guard let devices = selector(), let how = fields.required("how")?.nonEmptyString() else { return nil }
            action = .breakDevice(devices, how: how)
        case "recover":
            action = selector().map { .recover($0, method: fields["method"]?.nonEmptyString() ?? "autopilot-reset") }
        case "retire":
            action = selector().map { .retire($0) }
        case "fault":
            guard let devices = selector() else { return nil }
            if fields["clear"]?.bool() == true {
                action = .fault(devices, nil)
            } else {
                guard let kind = fields.required("inject")?.oneOf(Fault.Kind.allCases.map { ($0.rawValue, $0) }) else { return nil }
                var code: UInt32?
                if let field = fields["code"], let text = field.scalarText() {
                    code = ErrorCode.parse(text)
                    if code == nil { field.error("'\(text)' is not an error code such as 0x800705B4") }
                }
                let id = "scenario-\(value.mark?.line ?? 0)"
                action = .fault(devices, Fault(id: id, kind: kind, phase: fields["phase"]?.oneOf(OOBEPhase.allCases.map { ($0.rawValue, $0) }),
                                               step: fields["step"]?.nonEmptyString(), errorCode: code,
                                               seconds: fields["seconds"]?.duration(), app: fields["app"]?.nonEmptyString(),
                                               once: fields["once"]?.bool() ?? false))
            }
        case "power":
            guard let devices = selector(),
                  let power = fields.required("action")?.oneOf(ScenarioStep.PowerAction.allCases.map { ($0.rawValue, $0) })
            else { return nil }
            action = .power(devices, power)
        case "snapshot", "revert":
            guard let devices = selector(), let name = fields.required("snapshotName")?.nonEmptyString() else { return nil }
            action = kind == "snapshot" ? .snapshot(devices, name: name) : .revert(devices, name: name)
        case "importCSV":
            action = argument.nonEmptyString().map { .importCSV(path: $0) }
        case "setGroupTag":
            guard let devices = selector(), let tag = fields.required("groupTag")?.string() else { return nil }
            action = .setGroupTag(devices, groupTag: tag)
        case "assignProfile":
            guard let profile = argument.nonEmptyString(), let groups = fields.required("groups")?.stringList() else { return nil }
            action = .assignProfile(profile: profile, groups: groups)
        case "parallel":
            action = .parallel(read(argument))
        default:
            action = nil
        }
        return action.map { ScenarioStep(name: fields["name"]?.nonEmptyString(), line: value.mark?.line ?? 0, action: $0) }
    }

    /// `all`, a device name or serial, a list of them, or `{group: ...}`, `{model: ...}`, `{groupTag: ...}`.
    private func selector(_ value: YAMLValue) -> DeviceSelector? {
        switch value.node {
        case .scalar(let scalar):
            return scalar.string == "all" ? .all : .devices([scalar.string])
        case .sequence:
            return value.stringList().map { .devices($0) }
        case .mapping:
            guard let fields = value.mapping(allowing: ["group", "model", "groupTag"]) else { return nil }
            if let group = fields["group"]?.nonEmptyString() { return .group(group) }
            if let model = fields["model"]?.nonEmptyString() { return .model(model) }
            if let tag = fields["groupTag"]?.string() { return .groupTag(tag) }
            value.error("select devices with `group`, `model` or `groupTag`")
            return nil
        case .alias:
            value.error("aliases are not supported here")
            return nil
        }
    }

    /// `0x800705B4` (or a decimal number).
    private func errorCode(_ value: YAMLValue) -> UInt32? {
        guard let text = value.scalarText() else { return nil }
        let lower = text.lowercased()
        let parsed = lower.hasPrefix("0x") ? UInt32(lower.dropFirst(2), radix: 16) : UInt32(lower)
        if parsed == nil { value.error("'\(text)' is not an error code such as 0x800705B4") }
        return parsed
    }
}
