import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection made by hand, from a chosen loopback source address (127.0.0.0/8 is all
/// local, so each address is another client to a server counting by address): for tests that
/// send half a request and hold it, as slowloris does, and read what the server does about it.
/// Blocking calls: use it on a thread of its own (``onThreadOfItsOwn(_:)``).
public final class HeldConnection: @unchecked Sendable {
    private let descriptor: Int32

    /// Connects from `source` to 127.0.0.1:`port`.
    public init(from source: String, to port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.failure("socket") }
        let bound = IPv4SocketAddress(host: source, port: 0).withSockaddr { bind(fd, $0, $1) }
        let connected = bound == 0 && IPv4SocketAddress(host: "127.0.0.1", port: port).withSockaddr { connect(fd, $0, $1) } == 0
        guard connected else {
            let error = Self.failure(bound == 0 ? "connect from \(source)" : "bind \(source)")
            Glibc.close(fd)
            throw error
        }
        descriptor = fd
    }

    deinit { Glibc.close(descriptor) }

    public func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw Self.failure("send") }
    }

    /// What the server has sent by the first read that returns (an answer's head, for small
    /// answers the whole answer), waiting at most `patience` seconds; nil if it sent nothing.
    public func readSome(patience: Int = 60) throws -> String? {
        var timeout = timeval(tv_sec: patience, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }

    /// Everything the server sends until it closes the connection, waiting at most `patience`
    /// seconds for each read; nil if the server kept the connection open that long.
    public func readUntilClosed(patience: Int = 60) throws -> String? {
        var timeout = timeval(tv_sec: patience, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return String(decoding: received, as: UTF8.self) }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
                if errno == ECONNRESET { return String(decoding: received, as: UTF8.self) }
                throw Self.failure("recv")
            }
            received += buffer[..<count]
        }
    }

    private static func failure(_ call: String) -> any Error {
        CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "\(call): \(String(cString: strerror(errno)))"])
    }

    /// Raises this process's open-file limit to its hard limit (a test holding thousands of
    /// connections has both ends of each); returns the soft limit now in force.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
    }
}
