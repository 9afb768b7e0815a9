import Foundation
import LabService
import Synchronization

/// Sessions made by logging in (`POST /redfish/v1/SessionService/Sessions`): each has an
/// `X-Auth-Token`, ends when deleted (logout) or after `timeout` seconds without a request.
final class RedfishSessions: Sendable {
    struct Session: Sendable {
        let id: String
        let token: String
        let userName: String
        let accountID: String
        let created: Date
        var lastUsed: Date
    }

    /// Redfish allows 30 s to 86,400 s; 1,800 s is what BMCs commonly use.
    static let timeoutRange: ClosedRange<Int> = 30...86_400

    private struct State {
        var byToken: [String: Session] = [:]
        var timeout = 1_800
    }
    private let state = Mutex(State())
    let clock: @Sendable () -> Date

    init(clock: @escaping @Sendable () -> Date) {
        self.clock = clock
    }

    var timeout: Int { state.withLock { $0.timeout } }

    func setTimeout(_ seconds: Int) { state.withLock { $0.timeout = seconds } }

    func open(for account: RedfishAccounts.Account) -> Session {
        let now = clock()
        let session = Session(id: UUID().uuidString.lowercased(), token: Secret.make(), userName: account.userName, accountID: account.id,
                              created: now, lastUsed: now)
        state.withLock { $0.byToken[session.token] = session }
        return session
    }

    /// The live session of a token, its idle time restarted; an expired one is closed.
    func session(token: String) -> Session? {
        let now = clock()
        return state.withLock { state in
            guard var session = state.byToken[token] else { return nil }
            guard now.timeIntervalSince(session.lastUsed) < Double(state.timeout) else {
                state.byToken[token] = nil
                return nil
            }
            session.lastUsed = now
            state.byToken[token] = session
            return session
        }
    }

    /// The live sessions, oldest first.
    var all: [Session] {
        let now = clock()
        return state.withLock { state in
            state.byToken = state.byToken.filter { now.timeIntervalSince($0.value.lastUsed) < Double(state.timeout) }
            return state.byToken.values.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
        }
    }

    func session(id: String) -> Session? { all.first { $0.id == id } }

    @discardableResult
    func close(id: String) -> Bool {
        state.withLock { state in
            guard let token = state.byToken.first(where: { $0.value.id == id })?.key else { return false }
            state.byToken[token] = nil
            return true
        }
    }

    /// Closes the sessions of an account that changed or went.
    func close(accountID: String) {
        state.withLock { state in state.byToken = state.byToken.filter { $0.value.accountID != accountID } }
    }
}
