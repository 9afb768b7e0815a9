/// What a lab at work could not do: open on its host, bring its devices up or back, close.
public struct RunError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
