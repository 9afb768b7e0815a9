/// How long the steps of a deployment take: realistic durations (seconds on a real device),
/// scaled per lab (`0` for speed, `1` for real time, `0.003` for a demo of a few seconds), with
/// jitter so a fleet does not move in lock step.
public struct Timing: Sendable {
    public var scale: Double
    /// Up to this fraction longer or shorter, per step.
    public var jitter: Double

    public init(scale: Double = 0, jitter: Double = 0) {
        self.scale = scale
        self.jitter = jitter
    }

    /// Whether a step of `seconds` realistic seconds takes any time at this scale.
    func takesTime(_ seconds: Double) -> Bool { scale > 0 && seconds > 0 }

    /// Waits for a step of `seconds` realistic seconds.
    func pause(_ seconds: Double) async {
        guard takesTime(seconds) else {
            await Task.yield()
            return
        }
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter)) : 1
        try? await Task.sleep(for: .seconds(seconds * scale * factor))
    }

    /// Realistic durations of the steps, in seconds.
    enum Realistic {
        static let firmware = 20.0
        static let network = 5.0
        static let profile = 5.0
        static let page = 8.0
        static let signIn = 15.0
        static let entraJoin = 20.0
        static let offlineDomainJoin = 30.0
        static let reboot = 60.0
        static let attestation = 30.0
        static let enrollment = 20.0
        static let preparation = 10.0
        static let technician = 15.0
        static let desktop = 10.0
        static let reset = 120.0
        static let wipe = 300.0
    }
}
