import Foundation
import NIOCore
import Synchronization

/// Pages of a list as last rendered, kept while nothing they were built from changed: the store
/// (its commit stamp), the service's configuration (its revision) and the clock (until a row's
/// assignment delay ends). Scripts page through the same lists again and again; a kept page is
/// answered with its bytes as they are. Bounded by bytes, the oldest use going first.
final class RenderedPages: Sendable {
    /// What a page was built from.
    struct Stamp: Equatable {
        let commits: Int
        let revision: Int
    }

    private struct Entry {
        let stamp: Stamp
        /// The first moment the page would read differently with nothing else changed.
        let validUntil: Date
        let body: ByteBuffer
        var used: UInt64
    }

    private struct Pages {
        var entries: [String: Entry] = [:]
        var bytes = 0
        var uses: UInt64 = 0
    }

    private let pages = Mutex(Pages())
    let limitBytes: Int
    private let hits = Atomic<Int>(0)
    /// How many answers were kept pages.
    var hitCount: Int { hits.load(ordering: .relaxed) }

    init(limitBytes: Int = 64 << 20) {
        self.limitBytes = limitBytes
    }

    /// The page kept for `key`, if it was built from `stamp` and is still true at `now`.
    func page(_ key: String, stamp: Stamp, at now: Date) -> ByteBuffer? {
        pages.withLock { pages in
            guard var entry = pages.entries[key], entry.stamp == stamp, now < entry.validUntil else { return nil }
            pages.uses += 1
            entry.used = pages.uses
            pages.entries[key] = entry
            hits.add(1, ordering: .relaxed)
            return entry.body
        }
    }

    /// Keeps a page built from `stamp`, true until `validUntil`.
    func keep(_ body: ByteBuffer, for key: String, stamp: Stamp, validUntil: Date) {
        guard body.readableBytes <= limitBytes / 4 else { return }
        pages.withLock { pages in
            if let old = pages.entries.removeValue(forKey: key) { pages.bytes -= old.body.readableBytes }
            while pages.bytes + body.readableBytes > limitBytes, let oldest = pages.entries.min(by: { $0.value.used < $1.value.used }) {
                pages.entries[oldest.key] = nil
                pages.bytes -= oldest.value.body.readableBytes
            }
            pages.uses += 1
            pages.entries[key] = Entry(stamp: stamp, validUntil: validUntil, body: body, used: pages.uses)
            pages.bytes += body.readableBytes
        }
    }
}
