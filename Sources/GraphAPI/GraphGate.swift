import Foundation
import Hummingbird
import Synchronization
import LabFiles
import LabService

/// What a Graph request meets before its route: the faults the lab injects on routes, and
/// Intune's throttling when the lab turns it on (per tenant, 2,000 requests and 200 writes in
/// any 20 s; the request over a limit is answered 429 with the seconds until the window has room).
/// Both are the lab's settings in force (``Lab/graphSettings``), read at every request.
final class GraphGate: Sendable {
    static let window: TimeInterval = 20
    static let requestLimit = 2_000
    static let writeLimit = 200

    private let lab: Lab
    private struct State {
        /// The settings' revision the counts below are for.
        var revision = -1
        /// How many more times each fault strikes (nil: every time).
        var remaining: [Int?] = []
        var requests = SlidingWindow(limit: GraphGate.requestLimit)
        var writes = SlidingWindow(limit: GraphGate.writeLimit)
    }
    private let state = Mutex(State())

    init(lab: Lab) {
        self.lab = lab
    }

    /// Throws the refusal a request meets, if any.
    func admit(_ method: HTTPRequest.Method, _ path: ODataPath, at now: Date) throws {
        let route = path.segments.joined(separator: "/").lowercased()
        let isWrite = method != .get && method != .head
        let (settings, revision) = lab.graphSettings
        try state.withLock { state in
            if state.revision != revision { (state.revision, state.remaining) = (revision, settings.faults.map(\.count)) }
            for (index, fault) in settings.faults.enumerated() where route.hasPrefix(fault.path.lowercased())
                && (fault.method.map { $0 == method.rawValue } ?? true) && state.remaining[index] != 0 {
                state.remaining[index] = state.remaining[index].map { $0 - 1 }
                throw fault.status == 429
                    ? GraphError(.tooManyRequests, "TooManyRequests", "Too many requests.", retryAfter: fault.retryAfter)
                    : GraphError(.serviceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable.", retryAfter: fault.retryAfter)
            }
            guard settings.throttling else { return }
            if let wait = state.requests.wait(at: now) ?? (isWrite ? state.writes.wait(at: now) : nil) {
                throw GraphError(.tooManyRequests, "TooManyRequests", "Too many requests.", retryAfter: wait)
            }
            state.requests.add(now)
            if isWrite { state.writes.add(now) }
        }
    }
}

/// The times of the last `limit` admitted requests, oldest first, in a ring.
struct SlidingWindow {
    let limit: Int
    private var times: [Date] = []
    private var oldest = 0

    init(limit: Int) { self.limit = limit }

    /// Whole seconds until another request fits in the window, or nil when one fits now.
    func wait(at now: Date) -> Int? {
        guard times.count == limit else { return nil }
        let frees = times[oldest].addingTimeInterval(GraphGate.window)
        return frees > now ? max(1, Int(frees.timeIntervalSince(now).rounded(.up))) : nil
    }

    mutating func add(_ time: Date) {
        if times.count < limit {
            times.append(time)
        } else {
            times[oldest] = time
            oldest = (oldest + 1) % limit
        }
    }
}
