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
            guard let devices = selector(), let state = fields.required("state")?.oneOf(DeviceOutcome.self) else { return nil }
            action = .wait(devices, state: state, timeoutSeconds: fields["timeout"]?.duration() ?? 600)
        case "expect":
            guard let devices = selector() else { return nil }
            action = .expect(Expectation(
                devices: devices, state: fields["state"]?.oneOf(DeviceOutcome.self),
                errorCode: fields["errorCode"]?.errorCode(), phase: fields["phase"]?.oneOf(OOBEPhase.self),
                eventPresent: fields["event"]?.stringList() ?? [], eventAbsent: fields["noEvent"]?.stringList() ?? [],
                maxSeconds: fields["maxDuration"]?.duration(), minSeconds: fields["minDuration"]?.duration(),
                kept: aspects(fields["kept"]), removed: aspects(fields["removed"]),
                deviceName: fields["deviceName"]?.nonEmptyString()))
        case "reset":
            action = selector().map { .reset($0, remote: fields["remote"]?.bool() ?? false) }
        case "repurpose":
            action = selector().map { devices in
                .repurpose(devices,
                           wipe: fields["wipe"]?.oneOf(WipeKind.self) ?? .full,
                           groupTag: fields["groupTag"]?.string(), assignedUser: fields["assignedUser"]?.string())
            }
        case "break":
            guard let devices = selector(),
                  let how = fields.required("how")?.oneOf(BreakKind.self) else { return nil }
            action = .breakDevice(devices, how: how)
        case "recover":
            guard let devices = selector() else { return nil }
            var method = RecoveryMethod.autopilotReset
            if let field = fields["method"], let text = field.nonEmptyString() {
                guard let parsed = RecoveryMethod(text: text) else {
                    field.error("'\(text)' is not a recovery method: \(RecoveryMethod.forms)")
                    return nil
                }
                method = parsed
            }
            action = .recover(devices, method: method)
        case "retire":
            action = selector().map { .retire($0) }
        case "fault":
            guard let devices = selector() else { return nil }
            if fields["clear"]?.bool() == true {
                action = .fault(devices, nil)
            } else {
                guard let kind = fields.required("inject")?.oneOf(Fault.Kind.self) else { return nil }
                let code = fields["code"]?.errorCode()
                let id = "scenario-\(value.mark?.line ?? 0)"
                action = .fault(devices, Fault(id: id, kind: kind, phase: fields["phase"]?.oneOf(OOBEPhase.self),
                                               step: fields["step"]?.nonEmptyString(), errorCode: code,
                                               seconds: fields["seconds"]?.duration(), app: fields["app"]?.nonEmptyString(),
                                               once: fields["once"]?.bool() ?? false))
            }
        case "power":
            guard let devices = selector(),
                  let power = fields.required("action")?.oneOf(PowerAction.self)
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

    /// A list of aspect names (`[wifi, join]`).
    private func aspects(_ value: YAMLValue?) -> [DeviceAspect] {
        guard let value, let names = value.stringList() else { return [] }
        return names.compactMap { name in
            guard let aspect = DeviceAspect(rawValue: name) else {
                value.error("'\(name)' is not an aspect of a device: \(DeviceAspect.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            return aspect
        }
    }
}
