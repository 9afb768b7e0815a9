public import Foundation
public import DeviceProtocol

/// How the lab's words look to people: each OOBE phase's and each outcome's display name and
/// colour, defined here once. The dashboard reads them as JSON and CSS the endpoint serves, and
/// the HTML report inlines the same CSS, so the two cannot disagree.
public enum Vocabulary {
    /// A word as people see it.
    public struct Term: Codable, Sendable, Equatable {
        /// The word in the protocol and in files (`esp-device-setup`, `business-ready`).
        public var name: String
        /// What people read (`ESP: device setup`, `business-ready`).
        public var label: String
        /// Its colour (a phase's bar, an outcome's text).
        public var colour: String
        /// An outcome's badge background.
        public var background: String?
        /// Whether an outcome is a failure.
        public var failure: Bool?
        /// Whether an outcome is counted in a fleet's summary even when no device has it.
        public var summarised: Bool?
    }

    /// The phases, in the order a device goes through them, `lifecycle` last.
    public static let phases: [Term] = OOBEPhase.allCases.map { phase in
        Term(name: phase.rawValue, label: phase.displayName, colour: phase.colour, background: nil, failure: nil, summarised: nil)
    }

    /// The outcomes, in the order counts show them.
    public static let outcomes: [Term] = DeviceOutcome.allCases.map { outcome in
        Term(name: outcome.rawValue, label: outcome.displayName, colour: outcome.colour.text, background: outcome.colour.background,
             failure: outcome.isFailure, summarised: [.businessReady, .failed, .provisioning].contains(outcome))
    }

    /// The vocabulary as the dashboard reads it: `{"phases": [...], "outcomes": [...]}`.
    public static func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(["phases": phases, "outcomes": outcomes])
    }

    /// The colours as CSS: a custom property per phase (`--ph-boot`) and outcome
    /// (`--outcome-failed`, `--outcome-failed-bg`), and classes that set `--ph` (`.ph-boot`) and
    /// `--outcome`, `--outcome-bg` (`.outcome-failed`) for rules to use.
    public static let css: String = {
        var lines = [":root {"]
        lines += phases.map { "  --ph-\($0.name): \($0.colour);" }
        for outcome in outcomes {
            lines.append("  --outcome-\(outcome.name): \(outcome.colour);")
            if let background = outcome.background { lines.append("  --outcome-\(outcome.name)-bg: \(background);") }
        }
        lines.append("}")
        lines += phases.map { ".ph-\($0.name) { --ph: var(--ph-\($0.name)); }" }
        lines += outcomes.map { outcome in
            ".outcome-\(outcome.name) { --outcome: var(--outcome-\(outcome.name)); --outcome-bg: "
                + (outcome.background.map { _ in "var(--outcome-\(outcome.name)-bg)" } ?? "transparent") + "; }"
        }
        return lines.joined(separator: "\n") + "\n"
    }()
}

extension OOBEPhase {
    /// What people read for the phase.
    public var displayName: String {
        switch self {
        case .boot: "boot"
        case .network: "network"
        case .profile: "profile"
        case .oobePages: "OOBE pages"
        case .technician: "technician"
        case .identity: "identity"
        case .enrollment: "enrollment"
        case .espDevicePreparation: "ESP: device preparation"
        case .espDeviceSetup: "ESP: device setup"
        case .espAccountSetup: "ESP: account setup"
        case .desktop: "desktop"
        case .lifecycle: "lifecycle"
        }
    }

    /// The phase's colour.
    public var colour: String {
        switch self {
        case .boot: "#6e7781"
        case .network: "#0598bc"
        case .profile: "#5a67d8"
        case .oobePages: "#8250df"
        case .technician: "#bf3989"
        case .identity: "#d4a72c"
        case .enrollment: "#e16f24"
        case .espDevicePreparation: "#1b998b"
        case .espDeviceSetup: "#0e7490"
        case .espAccountSetup: "#218bff"
        case .desktop: "#2da44e"
        case .lifecycle: "#8c959f"
        }
    }
}

extension DeviceOutcome {
    /// What people read for the outcome.
    public var displayName: String {
        switch self {
        case .provisioning: "in progress"
        case .factory: "not started"
        default: rawValue
        }
    }

    /// The outcome's text colour and badge background.
    public var colour: (text: String, background: String?) {
        switch self {
        case .businessReady: ("#1a7f37", "#dafbe1")
        case .failed, .bootLoop: ("#cf222e", "#ffebe9")
        case .provisioning: ("#0550ae", "#ddf4ff")
        case .resealed: ("#9a6700", "#fff8c5")
        case .factory, .wiped, .retired, .notInLab, .unknown: ("#59636e", "#eaeef2")
        }
    }
}
