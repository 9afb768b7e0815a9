#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP connection to swtpm's data channel (`swtpm socket --tpm2 --server type=tcp,port=P`),
/// which carries the TPM's command and response bytes as they are, with no framing of its own
/// (swtpm 0.7). The response's header says how long it is; reads and writes give up after
/// `timeout`.
///
/// swtpm answers `TPM_RC_FAILURE` until it is initialised: start it with `--flags
/// not-need-init,startup-clear` (it then sends `TPM2_Startup` itself), or with `--flags
/// not-need-init` and call ``TPM/startup()``.
///
/// ```swift
/// let tpm = TPM(transport: try TPMSocket(port: 2321))
/// ```
public final class TPMSocket: TPMTransport {
    public let endpoint: String
    private let descriptor: Int32

    /// Connects to `host`, an IPv4 address (swtpm listens on 127.0.0.1 by default; resolving a
    /// name would make the static guest agent need glibc's NSS libraries at run time), on `port`.
    public init(host: String = "127.0.0.1", port: UInt16, timeout: Duration = .seconds(30)) throws {
        endpoint = "\(host):\(port)"
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw TPMError.transport(endpoint: endpoint, operation: "connect", reason: "not an IPv4 address")
        }
        let descriptor = socket(AF_INET, Self.streamType, 0)
        guard descriptor >= 0 else { throw TPMError.transport(endpoint: endpoint, operation: "socket", reason: systemError(errno)) }
        Self.configure(descriptor, timeout: timeout)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = systemError(errno)
            close(descriptor)
            throw TPMError.transport(endpoint: endpoint, operation: "connect", reason: reason)
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    public func transmit(_ command: [UInt8]) throws -> [UInt8] {
        try writeAll(command, to: descriptor, endpoint: endpoint)
        let header = try receive(6)  // tag and responseSize
        let size = Int(header[2]) << 24 | Int(header[3]) << 16 | Int(header[4]) << 8 | Int(header[5])
        // A TPM's responses fit its I/O buffer (4 KiB on most): a larger size is not a response.
        guard (10...65536).contains(size) else {
            throw TPMError.malformed("response from \(endpoint)", "its header says \(size) bytes")
        }
        return header + (try receive(size - 6))
    }

    private func receive(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let got = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + received, count - received, 0) }
            if got < 0 {
                if errno == EINTR { continue }
                let reason = errno == EAGAIN || errno == EWOULDBLOCK ? "no answer within the timeout" : systemError(errno)
                throw TPMError.transport(endpoint: endpoint, operation: "receive", reason: reason)
            }
            guard got > 0 else {
                throw TPMError.transport(endpoint: endpoint, operation: "receive", reason: "the TPM closed the connection after \(received) of \(count) bytes")
            }
            received += got
        }
        return bytes
    }

    #if canImport(Glibc)
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    #else
    private static let streamType = SOCK_STREAM
    #endif

    /// Close-on-exec (a test's child processes must not keep the connection), timeouts on both
    /// directions (on Linux the send timeout bounds `connect` too), and no Nagle delay.
    private static func configure(_ descriptor: Int32, timeout: Duration) {
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }
}
