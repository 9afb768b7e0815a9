import DeviceProtocol

/// Reads `timing`, `user` and `faults`, and a fleet entry's `expect`.
struct RunSettingsReader {
    let log: DiagnosticLog

    func timing(_ value: YAMLValue?) -> LabTiming {
        guard let value else { return LabTiming() }
        if case .scalar = value.node {
            return value.oneOf([("instant", LabTiming()), ("demo", LabTiming(scale: 0.003, jitter: 0.25)),
                                ("realistic", LabTiming(scale: 1, jitter: 0.15))]) ?? LabTiming()
        }
        guard let fields = value.mapping(allowing: ["scale", "jitter"]) else { return LabTiming() }
        func number(_ key: String, _ range: ClosedRange<Double>) -> Double? {
            guard let field = fields[key], let text = field.scalarText() else { return nil }
            guard let number = Double(text), range.contains(number) else {
                field.error("'\(text)' is not a number from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return number
        }
        return LabTiming(scale: number("scale", 0...10) ?? 0, jitter: number("jitter", 0...0.9) ?? 0)
    }

    func user(_ value: YAMLValue?) -> UserAnswers {
        guard let fields = value?.mapping(allowing: ["language", "region", "keyboard"]) else { return UserAnswers() }
        let defaults = UserAnswers()
        return UserAnswers(language: fields["language"]?.nonEmptyString() ?? defaults.language,
                           region: fields["region"]?.nonEmptyString() ?? defaults.region,
                           keyboard: fields["keyboard"]?.nonEmptyString() ?? defaults.keyboard)
    }

    static let faultFields = ["devices", "model", "group", "percent", "kind", "phase", "step", "code", "seconds", "app", "once"]

    func faults(_ value: YAMLValue?, devices: [LabDevice], models: [DeviceModel]) -> [FaultRule] {
        guard let items = value?.sequence() else { return [] }
        return items.enumerated().compactMap { index, item in
            guard let fields = item.mapping(allowing: Self.faultFields),
                  let kind = fields.required("kind")?.oneOf(Fault.Kind.self) else { return nil }
            let selectors = ["devices", "model", "group", "percent"].filter { fields[$0] != nil }
            guard selectors.count == 1 else {
                item.error("a fault applies to `devices`, a `model`, a `group` or a `percent` of the fleet: give exactly one")
                return nil
            }
            var targets: FaultTargets?
            switch selectors[0] {
            case "devices":
                let value = fields["devices"]!
                let names: [String]? = if case .scalar = value.node { value.string().map { [$0] } } else { value.stringList() }
                for name in names ?? [] where !devices.contains(where: { $0.name == name || $0.identity.serial == name }) {
                    value.error("no device named or with serial '\(name)'")
                }
                targets = names.map(FaultTargets.devices)
            case "model":
                let model = fields["model"]?.string()
                if let model, !models.contains(where: { $0.id == model }) { fields.error("model", "no model '\(model)' in `models`") }
                targets = model.map(FaultTargets.model)
            case "group":
                targets = fields["group"]?.nonEmptyString().map(FaultTargets.group)
            default:
                guard let text = fields["percent"]?.scalarText(), let percent = Double(text), (0...100).contains(percent) else {
                    fields.error("percent", "a percentage from 0 to 100")
                    return nil
                }
                targets = .percent(percent)
            }
            let code = fields["code"]?.errorCode()
            if kind == .error && code == nil { fields.error("kind", "an `error` fault needs its `code`") }
            let fault = Fault(id: "lab-\(index + 1)", kind: kind,
                              phase: fields["phase"]?.oneOf(OOBEPhase.self),
                              step: fields["step"]?.nonEmptyString(), errorCode: code, seconds: fields["seconds"]?.duration(),
                              app: fields["app"]?.nonEmptyString(), once: fields["once"]?.bool() ?? false)
            return targets.map { FaultRule(devices: $0, fault: fault, line: item.mark?.line ?? 0) }
        }
    }

    func expectation(_ value: YAMLValue) -> DeviceExpectation? {
        if case .scalar = value.node {
            return value.oneOf(DeviceExpectation.states.map { ($0.rawValue, DeviceExpectation(state: $0)) })
        }
        guard let fields = value.mapping(allowing: ["state", "errorCode", "phase", "event"]) else { return nil }
        return DeviceExpectation(
            state: fields["state"]?.oneOf(DeviceExpectation.states.map { ($0.rawValue, $0) }) ?? .failed,
            errorCode: fields["errorCode"]?.errorCode(), phase: fields["phase"]?.oneOf(OOBEPhase.self),
            event: fields["event"]?.oneOf([("807", 807), ("815", 815)]))
    }
}
