import Synchronization

/// Domains' power states as libvirt last answered them, kept while libvirt's lifecycle events are
/// followed and none has come for the domain since, and the lab has not acted on it: Metal3 and
/// Ironic poll every system's power state, and the answer then costs no libvirt call.
///
/// A read is kept only when nothing changed while it was under way: each domain counts its
/// changes (an event, or the lab's own power operation, counted when it returns so that a read
/// between the operation and its event is not kept), and a read started at one count is dropped
/// when the count has moved on. Following starts or stops (the connection went away) in a new
/// era, which drops everything kept: a change nobody heard of may have happened in between.
final class KeptPowerStates: Sendable {
    private struct State {
        var following = false
        var era = 0
        var changes: [String: Int] = [:]
        var kept: [String: (active: Bool, change: Int)] = [:]
    }

    /// Where a read started: kept only if nothing changed since.
    struct Reading {
        fileprivate let era: Int
        fileprivate let change: Int
    }

    private let state = Mutex(State())

    /// The domain's power state if it is kept.
    func active(_ name: String) -> Bool? {
        state.withLock { state in
            guard state.following, let kept = state.kept[name], kept.change == state.changes[name, default: 0] else { return nil }
            return kept.active
        }
    }

    /// Call before reading a domain's power state from libvirt.
    func reading(_ name: String) -> Reading {
        state.withLock { Reading(era: $0.era, change: $0.changes[name, default: 0]) }
    }

    /// Keeps what a read found, unless something changed while it was under way.
    func keep(_ active: Bool, of name: String, readAt reading: Reading) {
        state.withLock { state in
            guard state.following, state.era == reading.era, state.changes[name, default: 0] == reading.change else { return }
            state.kept[name] = (active, reading.change)
        }
    }

    /// The domain's power may have changed: what was kept for it is dropped.
    func changed(_ name: String) {
        state.withLock { state in
            state.changes[name, default: 0] += 1
            state.kept[name] = nil
        }
    }

    /// Every domain's power may have changed (domains defined or converged by the lab).
    func changedAll() {
        state.withLock { state in
            state.era += 1
            state.kept.removeAll()
        }
    }

    /// Events are followed from now on (`true`), or no longer (`false`): a new era either way.
    func following(_ following: Bool) {
        state.withLock { state in
            state.following = following
            state.era += 1
            state.changes.removeAll()
            state.kept.removeAll()
        }
    }
}
