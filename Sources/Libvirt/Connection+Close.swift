import Foundation
internal import CLibvirt

extension Connection {
    /// Why libvirt closed a connection (`virConnectCloseReason`).
    public enum CloseReason: Int32, Sendable, CustomStringConvertible {
        /// A misc I/O error.
        case error = 0
        /// End of file from the daemon: it exited or restarted.
        case endOfFile = 1
        /// The daemon stopped answering keepalive messages.
        case keepalive = 2
        /// The client closed the connection.
        case client = 3

        public var description: String {
            switch self {
            case .error: "an I/O error"
            case .endOfFile: "the daemon closed the connection"
            case .keepalive: "the daemon stopped answering keepalives"
            case .client: "the client closed it"
            }
        }
    }

    /// Calls `handler` (on libvirt's event-loop thread) when the connection to the daemon closes
    /// (`virConnectRegisterCloseCallback`). Remote drivers only; one handler per connection.
    public func onClose(_ handler: @escaping @Sendable (CloseReason) -> Void) throws(LibvirtError) {
        let box = Unmanaged.passRetained(CloseHandler(handler)).toOpaque()
        guard virConnectRegisterCloseCallback(handle, closeCallback, box, releaseCloseHandler) == 0 else {
            let error = LibvirtError.last("virConnectRegisterCloseCallback")
            Unmanaged<CloseHandler>.fromOpaque(box).release()
            throw error
        }
    }

    /// Asks the daemon for a keepalive answer every `interval` seconds and closes the connection
    /// after `count` unanswered ones (`virConnectSetKeepAlive`), so a daemon that hangs or
    /// vanishes without closing its socket is noticed.
    public func setKeepAlive(interval: Int32, count: UInt32) throws(LibvirtError) {
        _ = try check(virConnectSetKeepAlive(handle, interval, count), "virConnectSetKeepAlive")
    }
}

private final class CloseHandler {
    let handler: @Sendable (Connection.CloseReason) -> Void
    init(_ handler: @escaping @Sendable (Connection.CloseReason) -> Void) { self.handler = handler }
}

/// `virConnectCloseFunc`, called on libvirt's event-loop thread.
private func closeCallback(_ connection: OpaquePointer?, _ reason: Int32, _ opaque: UnsafeMutableRawPointer?) {
    guard let opaque else { return }
    let box = Unmanaged<CloseHandler>.fromOpaque(opaque).takeUnretainedValue()
    box.handler(Connection.CloseReason(rawValue: reason) ?? .error)
}

/// `virFreeCallback` for the close handler.
private func releaseCloseHandler(_ opaque: UnsafeMutableRawPointer?) {
    guard let opaque else { return }
    Unmanaged<CloseHandler>.fromOpaque(opaque).release()
}
