import Foundation
public import DeviceProtocol

/// The lifecycle flows a device goes through.
public enum Flow: String, Codable, Sendable, CaseIterable {
    case deploy
    case reset
    case repurpose
    case recover
    case retire
    case powerOn = "power-on"
    case powerOff = "power-off"
    case reboot = "power-reboot"
}

/// What a lifecycle flow did to a device.
public struct FlowResult: Sendable, Codable, Equatable {
    public var device: String
    public var flow: Flow
    /// How the device stands after the flow.
    public var result: DeviceOutcome
    /// The Windows error code of the failure the device shows, if any.
    public var errorCode: ErrorCode?
    public var message: String?
    /// The phases the device went through, in order.
    public var phases: [OOBEPhase]
    /// What the device kept and what it lost.
    public var kept: Set<DeviceAspect>
    public var removed: Set<DeviceAspect>
    public var seconds: Double
    public var boots: Int
    /// The device refused the flow's action (a hybrid-joined device's reset, a local reset
    /// without the policy, no WinRE).
    public var refused: Bool

    public init(device: String, flow: Flow, result: DeviceOutcome, errorCode: ErrorCode? = nil, message: String? = nil,
                phases: [OOBEPhase] = [], kept: Set<DeviceAspect> = [], removed: Set<DeviceAspect> = [], seconds: Double = 0,
                boots: Int = 0, refused: Bool = false) {
        self.device = device
        self.flow = flow
        self.result = result
        self.errorCode = errorCode
        self.message = message
        self.phases = phases
        self.kept = kept
        self.removed = removed
        self.seconds = seconds
        self.boots = boots
        self.refused = refused
    }

    /// Whether the flow left the device as it should not be: failed, in a boot loop, or refusing.
    public var failed: Bool { result.isFailure || refused }

    /// This flow's result after an earlier part of the same flow: phases, boots and time of both.
    func following(_ earlier: FlowResult) -> FlowResult {
        var both = self
        both.phases = earlier.phases + phases.drop { $0 == earlier.phases.last }
        both.seconds += earlier.seconds
        both.boots += earlier.boots
        return both
    }

    // Aspects in their order, so that the same result reads the same.
    private enum CodingKeys: String, CodingKey {
        case device, flow, result, errorCode, message, phases, kept, removed, seconds, boots, refused
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        device = try container.decode(String.self, forKey: .device)
        flow = try container.decode(Flow.self, forKey: .flow)
        result = try container.decode(DeviceOutcome.self, forKey: .result)
        errorCode = try container.decodeIfPresent(ErrorCode.self, forKey: .errorCode)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        phases = try container.decode([OOBEPhase].self, forKey: .phases)
        kept = Set(try container.decode([DeviceAspect].self, forKey: .kept))
        removed = Set(try container.decode([DeviceAspect].self, forKey: .removed))
        seconds = try container.decode(Double.self, forKey: .seconds)
        boots = try container.decode(Int.self, forKey: .boots)
        refused = try container.decode(Bool.self, forKey: .refused)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(flow, forKey: .flow)
        try container.encode(result, forKey: .result)
        try container.encodeIfPresent(errorCode, forKey: .errorCode)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encode(phases, forKey: .phases)
        try container.encode(kept.sorted(), forKey: .kept)
        try container.encode(removed.sorted(), forKey: .removed)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(boots, forKey: .boots)
        try container.encode(refused, forKey: .refused)
    }
}
