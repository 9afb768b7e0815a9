/// A fault injected into a device's deployment, to reproduce a field bug: where it strikes and
/// what happens. Faults are declared in the lab file or sent to a running lab through the admin
/// API; a device fetches its own at every boot (`GET /oobe/v1/faults`).
public struct Fault: Codable, Sendable, Equatable {
    /// Identifies the fault, so a device remembers which one-time faults already struck.
    public var id: String
    public var kind: Kind
    /// The phase it strikes in (the kind's usual phase when nil).
    public var phase: OOBEPhase?
    /// The step it strikes at, such as `securing-hardware` or `app:company-portal` (any step of
    /// the phase when nil).
    public var step: String?
    /// A Windows error code, for `error` and `app-failure`.
    public var errorCode: UInt32?
    /// Seconds, for `network-drop`.
    public var seconds: Double?
    /// The app, for `app-failure`.
    public var app: String?
    /// Whether it strikes once only (then the device's retry at its next boot succeeds).
    public var once: Bool

    public init(id: String, kind: Kind, phase: OOBEPhase? = nil, step: String? = nil, errorCode: UInt32? = nil, seconds: Double? = nil,
                app: String? = nil, once: Bool = false) {
        self.id = id
        self.kind = kind
        self.phase = phase
        self.step = step
        self.errorCode = errorCode
        self.seconds = seconds
        self.app = app
        self.once = once
    }

    private enum CodingKeys: String, CodingKey { case id, kind, phase, step, errorCode, seconds, app, once }

    /// Decodes a fault; `once` may be left out (false).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try container.decode(String.self, forKey: .id), kind: try container.decode(Kind.self, forKey: .kind),
                  phase: try container.decodeIfPresent(OOBEPhase.self, forKey: .phase),
                  step: try container.decodeIfPresent(String.self, forKey: .step),
                  errorCode: try container.decodeIfPresent(UInt32.self, forKey: .errorCode),
                  seconds: try container.decodeIfPresent(Double.self, forKey: .seconds),
                  app: try container.decodeIfPresent(String.self, forKey: .app),
                  once: try container.decodeIfPresent(Bool.self, forKey: .once) ?? false)
    }

    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The step fails with `errorCode`.
        case error
        /// The step never finishes (the ESP's timeout ends it, where there is one).
        case hang
        /// The network is gone for `seconds`; the device retries with backoff.
        case networkDrop = "network-drop"
        /// An app's install fails: blocking apps fail the ESP, others are reported and skipped.
        case appFailure = "app-failure"
        /// The device has no TPM (self-deploying fails with 0x800705B4).
        case missingTPM = "missing-tpm"
        /// No domain controller is reachable (hybrid join fails with 0x80070774 unless the
        /// profile skips the check).
        case unreachableDC = "unreachable-dc"
        /// The serial is registered to another tenant (handled by the service, not the device).
        case otherTenant = "other-tenant"
        /// A profile targets the device but its assignment never completes: Graph shows it
        /// `pending` for good, and at OOBE the device gets no profile (event 815) and shows the
        /// standard OOBE (handled by the service, not the device).
        case neverAssigned = "never-assigned"
        /// The device reboots at the step.
        case reboot
    }

    /// Whether the fault strikes at a phase and step.
    public func strikes(_ phase: OOBEPhase, _ step: String) -> Bool {
        (self.phase == nil || self.phase == phase) && (self.step == nil || self.step == step)
    }
}
