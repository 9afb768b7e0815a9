import Foundation
import Testing
import BootEndpoint
import HTTPConnections
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The endpoint listens on loopback unless told otherwise: it answers on 127.0.0.1 and is not
/// reachable through any other address of the machine.
@Suite("loopback by default")
struct LoopbackTests {
    /// The machine's IPv4 addresses other than loopback.
    static func otherAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [String] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                var raw = ipv4.pointee.sin_addr
                _ = inet_ntop(AF_INET, &raw, &text, socklen_t(INET_ADDRSTRLEN))
            }
            let string = String(decoding: text.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
            if !string.hasPrefix("127.") { addresses.append(string) }
        }
        return addresses
    }

    /// Whether a TCP connection to an address and port is accepted.
    static func connects(to host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return IPv4SocketAddress(host: host, port: port).withSockaddr { connect(fd, $0, $1) } == 0
    }

    /// What `serve --listen` and `--redfish-listen` warn of: an address other machines can reach.
    @Test(arguments: [("127.0.0.1", true), ("127.0.0.2", true), ("127.255.255.254", true), ("localhost", true),
                      ("::1", true), ("::ffff:127.0.0.9", true), ("0:0:0:0:0:0:0:1", true),
                      ("0.0.0.0", false), ("::", false), ("128.0.0.1", false), ("198.18.0.1", false),
                      ("::2", false), ("::ffff:198.18.0.1", false), ("127.0.0.1.example", false), ("", false)])
    func loopbackIsTheWholeOf127SlashEightAndColonColonOne(address: String, loopback: Bool) {
        #expect(isLoopback(address) == loopback, "\(address)")
    }

    @Test func theDefaultAddressIsLoopbackAndNothingElseAnswers() async throws {
        let options = BootEndpoint.Options(imagesDirectory: repositoryImages)
        #expect(options.host == "127.0.0.1")
        #expect(options.isLoopback)
        try await withEndpoint { running in
            #expect(Self.connects(to: "127.0.0.1", port: running.port))
            for address in Self.otherAddresses() {
                #expect(!Self.connects(to: address, port: running.port), "the endpoint answers on \(address)")
            }
        }
    }
}
