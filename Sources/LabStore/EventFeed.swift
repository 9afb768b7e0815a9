import Foundation

/// Device events as they are stored, for anyone following the lab live (the controller waiting
/// for a real VM, a dashboard): every stream gets each event committed after it subscribed, in
/// order, once. Publishing costs nothing while nobody follows.
public final class EventFeed: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [Int: (device: String?, continuation: AsyncStream<StoredEvent>.Continuation)] = [:]
    private var nextToken = 0

    public init() {}

    /// Events of one device (or every device) from now on. The stream ends when the caller stops
    /// iterating it; it buffers up to `buffer` events a slow reader has not taken yet, then drops
    /// the oldest.
    public func subscribe(device: String? = nil, buffer: Int = 10_000) -> AsyncStream<StoredEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: StoredEvent.self, bufferingPolicy: .bufferingNewest(buffer))
        lock.lock()
        nextToken += 1
        let token = nextToken
        subscribers[token] = (device, continuation)
        lock.unlock()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.lock()
            self.subscribers[token] = nil
            self.lock.unlock()
        }
        return stream
    }

    /// Whether anyone follows (so that callers can skip building events nobody reads).
    public var isFollowed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !subscribers.isEmpty
    }

    /// Hands committed events to every subscriber that follows their device.
    func publish(_ events: [StoredEvent]) {
        lock.lock()
        let targets = Array(subscribers.values)
        lock.unlock()
        for event in events {
            for target in targets where target.device == nil || target.device == event.device {
                target.continuation.yield(event)
            }
        }
    }
}
