import Foundation
internal import CLibvirt

extension Connection {
    /// Lifecycle events for every domain on this connection, or only for `domain`, as an
    /// `AsyncStream` (`virConnectDomainEventRegisterAny` with `VIR_DOMAIN_EVENT_ID_LIFECYCLE`).
    ///
    /// Events are delivered by libvirt's default event loop, which runs on its own thread.
    /// libvirt accepts one registration of a callback per connection, so the connection holds a
    /// single registration and fans events out to every stream; it registers with the first
    /// stream and deregisters when the last one ends. A stream keeps the connection open.
    public func lifecycleEvents(for domain: Domain? = nil) throws(LibvirtError) -> AsyncStream<DomainLifecycleEvent> {
        let filter = try domain?.uuid()
        let (stream, continuation) = AsyncStream.makeStream(of: DomainLifecycleEvent.self)
        let token = try lifecycleHub.subscribe(continuation, filter: filter, connection: self)
        continuation.onTermination = { _ in
            self.lifecycleHub.unsubscribe(token, connection: self)
        }
        return stream
    }
}

/// The connection's single lifecycle-event registration and the streams it feeds.
final class LifecycleEventHub: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [Int: (filter: UUID?, continuation: AsyncStream<DomainLifecycleEvent>.Continuation)] = [:]
    private var nextToken = 0
    private var callbackID: Int32?

    func subscribe(_ continuation: AsyncStream<DomainLifecycleEvent>.Continuation, filter: UUID?,
                   connection: Connection) throws(LibvirtError) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if callbackID == nil {
            let callback = unsafeBitCast(lifecycleCallback as LifecycleCallback,
                                         to: virConnectDomainEventGenericCallback.self)
            let opaque = Unmanaged.passRetained(self).toOpaque()
            let id = virConnectDomainEventRegisterAny(connection.handle, nil,
                                                      Int32(VIR_DOMAIN_EVENT_ID_LIFECYCLE.rawValue),
                                                      callback, opaque, releaseHub)
            guard id >= 0 else {
                let error = LibvirtError.last("virConnectDomainEventRegisterAny")
                Unmanaged<LifecycleEventHub>.fromOpaque(opaque).release()
                throw error
            }
            callbackID = id
        }
        nextToken += 1
        subscribers[nextToken] = (filter, continuation)
        return nextToken
    }

    func unsubscribe(_ token: Int, connection: Connection) {
        lock.lock()
        defer { lock.unlock() }
        subscribers[token] = nil
        if subscribers.isEmpty, let id = callbackID {
            virConnectDomainEventDeregisterAny(connection.handle, id)
            callbackID = nil
        }
    }

    func deliver(_ event: DomainLifecycleEvent) {
        lock.lock()
        let targets = subscribers.values.filter { $0.filter == nil || $0.filter == event.domainUUID }
        lock.unlock()
        for target in targets { target.continuation.yield(event) }
    }
}

private typealias LifecycleCallback = @convention(c) (
    OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?
) -> Int32

/// `virConnectDomainEventCallback`, called on libvirt's event-loop thread.
private func lifecycleCallback(_ connection: OpaquePointer?, _ domain: OpaquePointer?, _ event: Int32,
                               _ detail: Int32, _ opaque: UnsafeMutableRawPointer?) -> Int32 {
    guard let opaque, let domain else { return 0 }
    let hub = Unmanaged<LifecycleEventHub>.fromOpaque(opaque).takeUnretainedValue()
    let name = virDomainGetName(domain).map { String(cString: $0) } ?? ""
    var buffer = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
    let uuid = virDomainGetUUIDString(domain, &buffer) == 0
        ? buffer.withUnsafeBufferPointer { UUID(uuidString: String(cString: $0.baseAddress!)) }
        : nil
    hub.deliver(DomainLifecycleEvent(domainName: name, domainUUID: uuid, kind: .init(event: event, detail: detail)))
    return 0
}

/// `virFreeCallback`: releases the hub once libvirt drops the registration.
private func releaseHub(_ opaque: UnsafeMutableRawPointer?) {
    guard let opaque else { return }
    Unmanaged<LifecycleEventHub>.fromOpaque(opaque).release()
}
