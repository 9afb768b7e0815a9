#if canImport(Glibc)
import Glibc
#endif

/// Whether an address to listen on is loopback only: `localhost`, any of 127.0.0.0/8 (a test's
/// or a second endpoint's 127.0.0.2 too), `::1`, or IPv4-mapped loopback (`::ffff:127.0.0.1`).
///
/// ```swift
/// isLoopback("127.0.0.2")   // true
/// isLoopback("198.18.0.1")  // false
/// ```
public func isLoopback(_ address: String) -> Bool {
    if address == "localhost" { return true }
    var ipv4 = in_addr()
    if inet_pton(AF_INET, address, &ipv4) == 1 { return UInt32(bigEndian: ipv4.s_addr) >> 24 == 127 }
    var ipv6 = in6_addr()
    guard inet_pton(AF_INET6, address, &ipv6) == 1 else { return false }
    let bytes = withUnsafeBytes(of: ipv6) { Array($0) }
    let zeros = { (count: Int) in bytes.prefix(count).allSatisfy { $0 == 0 } }
    if zeros(15) && bytes[15] == 1 { return true }
    return zeros(10) && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
}
