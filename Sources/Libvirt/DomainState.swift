internal import CLibvirt

/// A domain's run state (`virDomainState`).
public enum DomainState: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case noState = 0
    case running = 1
    case blocked = 2
    case paused = 3
    case shuttingDown = 4
    case shutOff = 5
    case crashed = 6
    case pmSuspended = 7

    /// The words `virsh list` uses, so that output reads the same as libvirt's own tools.
    public var description: String {
        switch self {
        case .noState: "no state"
        case .running: "running"
        case .blocked: "blocked"
        case .paused: "paused"
        case .shuttingDown: "in shutdown"
        case .shutOff: "shut off"
        case .crashed: "crashed"
        case .pmSuspended: "pmsuspended"
        }
    }
}
