public import Foundation

/// A domain lifecycle event (`VIR_DOMAIN_EVENT_ID_LIFECYCLE`), typed.
public struct DomainLifecycleEvent: Sendable, Equatable, CustomStringConvertible {
    /// The domain's name when the event was delivered.
    public let domainName: String
    /// The domain's UUID.
    public let domainUUID: UUID?
    /// What happened.
    public let kind: Kind

    public init(domainName: String, domainUUID: UUID?, kind: Kind) {
        self.domainName = domainName
        self.domainUUID = domainUUID
        self.kind = kind
    }

    public var description: String { "\(domainName): \(kind)" }

    /// `virDomainEventType` with its detail (`virDomainEvent*DetailType`).
    public enum Kind: Sendable, Equatable {
        case defined(DefinedDetail)
        case undefined
        case started(StartedDetail)
        case suspended
        case resumed
        case stopped(StoppedDetail)
        case shutdown
        case pmSuspended
        case crashed
        /// An event type newer than this binding, kept raw.
        case other(event: Int32, detail: Int32)

        init(event: Int32, detail: Int32) {
            switch event {
            case 0: self = .defined(DefinedDetail(rawValue: detail) ?? .added)
            case 1: self = .undefined
            case 2: self = .started(StartedDetail(rawValue: detail) ?? .booted)
            case 3: self = .suspended
            case 4: self = .resumed
            case 5: self = .stopped(StoppedDetail(rawValue: detail) ?? .shutdown)
            case 6: self = .shutdown
            case 7: self = .pmSuspended
            case 8: self = .crashed
            default: self = .other(event: event, detail: detail)
            }
        }
    }

    /// Why a domain was defined (`virDomainEventDefinedDetailType`).
    public enum DefinedDetail: Int32, Sendable {
        case added = 0, updated, renamed, fromSnapshot
    }

    /// How a domain started (`virDomainEventStartedDetailType`).
    public enum StartedDetail: Int32, Sendable {
        case booted = 0, migrated, restored, fromSnapshot, wakeup
    }

    /// Why a domain stopped (`virDomainEventStoppedDetailType`).
    public enum StoppedDetail: Int32, Sendable {
        case shutdown = 0, destroyed, crashed, migrated, saved, failed, fromSnapshot
    }
}
