public import Foundation
import Synchronization

/// Answers as last rendered, kept while nothing they were built from changed (their stamp: the
/// store's commit stamp, the tenant's revision, a device's power state, whatever a door reads)
/// and, for answers that change with time, until a given moment. Clients read the same pages
/// and systems again and again; a kept answer is sent as the bytes it was. Bounded by size, the
/// oldest use going first.
///
/// ```swift
/// let kept = KeptRenditions<Int, Data>(size: \.count)
/// if let body = kept.rendition("/page/1", stamp: commits) { return body }
/// kept.keep(render(), for: "/page/1", stamp: commits)
/// ```
public final class KeptRenditions<Stamp: Equatable & Sendable, Body: Sendable>: Sendable {
    private struct Entry {
        let stamp: Stamp
        /// The first moment the answer would read differently with nothing else changed.
        let validUntil: Date
        let body: Body
        let size: Int
        var used: UInt64
    }

    private struct Entries {
        var byKey: [String: Entry] = [:]
        var size = 0
        var uses: UInt64 = 0
    }

    private let entries = Mutex(Entries())
    public let limit: Int
    private let size: @Sendable (Body) -> Int
    private let hits = Atomic<Int>(0)
    /// How many answers were kept ones.
    public var hitCount: Int { hits.load(ordering: .relaxed) }

    /// Keeps at most `limit` in all, as `size` measures a body (bytes, say).
    public init(limit: Int = 64 << 20, size: @escaping @Sendable (Body) -> Int) {
        self.limit = limit
        self.size = size
    }

    /// The answer kept for `key`, if it was built from `stamp` and is still true at `now`.
    public func rendition(_ key: String, stamp: Stamp, at now: Date = .distantPast) -> Body? {
        entries.withLock { entries in
            guard var entry = entries.byKey[key], entry.stamp == stamp, now < entry.validUntil else { return nil }
            entries.uses += 1
            entry.used = entries.uses
            entries.byKey[key] = entry
            hits.add(1, ordering: .relaxed)
            return entry.body
        }
    }

    /// Keeps an answer built from `stamp`, true until `validUntil`.
    public func keep(_ body: Body, for key: String, stamp: Stamp, validUntil: Date = .distantFuture) {
        let size = size(body)
        guard size <= limit / 4 else { return }
        entries.withLock { entries in
            if let old = entries.byKey.removeValue(forKey: key) { entries.size -= old.size }
            while entries.size + size > limit, let oldest = entries.byKey.min(by: { $0.value.used < $1.value.used }) {
                entries.byKey[oldest.key] = nil
                entries.size -= oldest.value.size
            }
            entries.uses += 1
            entries.byKey[key] = Entry(stamp: stamp, validUntil: validUntil, body: body, size: size, used: entries.uses)
            entries.size += size
        }
    }
}
