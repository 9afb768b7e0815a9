public import ArgumentParser
public import LabFiles

// The flows' choices as command-line arguments: validated, listed in help and completed by
// swift-argument-parser from the same enumerations scenarios and the admin API use.

extension WipeKind: ExpressibleByArgument {}
extension PowerAction: ExpressibleByArgument {}
extension BreakKind: ExpressibleByArgument {}

extension RecoveryMethod: ExpressibleByArgument {
    public init?(argument: String) { self.init(text: argument) }
    public var defaultValueDescription: String { text }
    public static var allValueStrings: [String] { ["autopilot-reset", "reimage", "snapshot:NAME"] }
}
