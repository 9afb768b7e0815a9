import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 address and TCP port as the socket calls take it (`sockaddr_in`), for tests that bind
/// or connect a socket by hand.
public struct IPv4SocketAddress {
    private var address = sockaddr_in()

    /// `host` in dotted-decimal form, such as `127.0.0.1`.
    public init(host: String, port: Int) {
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
    }

    /// Calls `body` with the address and its length, as `bind(2)` and `connect(2)` take them.
    public func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// The port a socket is bound to (`getsockname(2)`): the kernel's pick after a bind to port 0.
    public static func port(boundTo descriptor: Int32) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) == 0 }
        }
        return named ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
