import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A socket towards a machine's libvirt port: its name resolved (the first address), a socket of
/// that address's family made, handed to `body` with the address, and closed afterwards. What
/// the caller does with it (connect a UDP socket to learn the route's source address, or a TCP
/// one within a time limit) is its own; a failure is the reason in words.
enum MachineSocket {
    struct Problem: Error {
        let text: String
        init(_ text: String) { self.text = text }
        /// The C library's words for `errno`.
        static var errno: Problem { Problem(String(cString: strerror(Glibc.errno))) }
    }

    static func with<T>(_ machine: String, port: Int, type: Int32, flags: Int32 = 0,
                        _ body: (_ fd: Int32, _ address: addrinfo) -> Result<T, Problem>) -> Result<T, Problem> {
        var hints = addrinfo()
        hints.ai_socktype = type
        var found: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(machine, String(port), &hints, &found)
        guard resolved == 0, let first = found else { return .failure(Problem(String(cString: gai_strerror(resolved)))) }
        defer { freeaddrinfo(found) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype | flags, first.pointee.ai_protocol)
        guard fd >= 0 else { return .failure(.errno) }
        defer { close(fd) }
        return body(fd, first.pointee)
    }
}
