import Foundation
public import LabService
import LabFiles
public import Libvirt
#if canImport(Glibc)
import Glibc
#endif

/// Whether a remote libvirt host answers at all, checked within a time limit before libvirt
/// connects: libvirt's own connect to a machine that is routed but silent waits out the kernel's
/// SYN retries, about two minutes. A TCP connection to libvirtd's port (or SSH's) that opens
/// within the limit is closed again at once; local URIs are not checked.
public enum HostReachability {
    /// How long a remote host may take to accept a TCP connection.
    public static let limit: Duration = .seconds(10)

    public static func check(uri: String, within limit: Duration = limit) throws(LabError) {
        guard let (machine, port) = LabHost(name: "", uri: uri).remoteAddress else { return }
        if let problem = problem(connecting: machine, port: port, within: limit) {
            throw .hostUnreachable(uri: uri, address: "\(machine):\(port)", problem: problem)
        }
    }

    /// Connects to a libvirt URI, a remote host's once it answered within the limit.
    public static func connect(uri: String) throws -> Connection {
        try check(uri: uri)
        return try Connection(uri: uri)
    }

    /// Connects to every URI side by side, in their order, each on a thread of its own (a check
    /// blocks up to the limit): a silent host costs the limit once, not once per host. Any
    /// failure is thrown, and the connections opened are closed.
    public static func connect(_ uris: [String]) throws -> [Connection] {
        let results = ConcurrentResults<Connection>(count: uris.count)
        let done = DispatchGroup()
        for (index, uri) in uris.enumerated() {
            done.enter()
            Thread {
                results.set(index, Result { try connect(uri: uri) })
                done.leave()
            }.start()
        }
        done.wait()
        return try results.values()
    }

    /// Why a TCP connection to the machine's port did not open within the limit; nil when it did.
    private static func problem(connecting machine: String, port: Int, within limit: Duration) -> String? {
        let opened = MachineSocket.with(machine, port: port, type: Int32(SOCK_STREAM.rawValue), flags: Int32(SOCK_NONBLOCK.rawValue)) {
            fd, target -> Result<Void, MachineSocket.Problem> in
            if Glibc.connect(fd, target.ai_addr, target.ai_addrlen) == 0 { return .success(()) }
            guard errno == EINPROGRESS else { return .failure(.errno) }
            var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let milliseconds = Int32(limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000)
            let ready = poll(&waiting, 1, milliseconds)
            if ready == 0 { return .failure(.init("no answer within \(limit)")) }
            guard ready > 0 else { return .failure(.errno) }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            return failure == 0 ? .success(()) : .failure(.init(String(cString: strerror(failure))))
        }
        if case .failure(let problem) = opened { return problem.text }
        return nil
    }
}
