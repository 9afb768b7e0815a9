import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback port that accepts connections and closes them at once without a byte: an endpoint
/// that has stopped answering. Counts the connections, so a test can wait until a client has
/// retried a number of times, then ``close()`` it and start the real server on the same port.
public final class DeadListener: @unchecked Sendable {
    private let descriptor: Int32
    private let thread: Thread
    /// One element per connection attempt.
    public let attempts: AsyncStream<Void>

    /// Listens on the port, waiting up to `patience` seconds for it to be free: a server that has
    /// just stopped may still be closing the connections it accepted on it.
    public init(port: Int, patience: Double = 10) async throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let address = IPv4SocketAddress(host: "127.0.0.1", port: port)
        let deadline = Date().addingTimeInterval(patience)
        while true {
            let bound = address.withSockaddr { bind(fd, $0, $1) }
            if bound == 0, listen(fd, 64) == 0 { break }
            let reason = String(cString: strerror(errno))
            guard errno == EADDRINUSE, Date() < deadline else {
                Glibc.close(fd)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot listen on 127.0.0.1:\(port): \(reason)"
                    + "; sockets on the port: \(Self.sockets(on: port))"])
            }
            try await Task.sleep(for: .milliseconds(50))  // the port is released when the closing connections are gone
        }
        descriptor = fd
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        attempts = stream
        thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { break }
                Glibc.close(client)
                continuation.yield()
            }
            continuation.finish()
        }
        thread.start()
    }

    /// What holds the port (`ss`), for the failure message.
    static func sockets(on port: Int) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ss")
        process.arguments = ["-tanpH", "sport = :\(port)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return "(ss cannot run)" }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output.isEmpty ? "none" : output.replacingOccurrences(of: "\n", with: " | ")
    }

    /// Stops accepting and frees the port.
    public func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        Glibc.close(descriptor)
    }
}
