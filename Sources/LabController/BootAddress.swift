import Foundation
public import LabService
public import LabFiles
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The address a libvirt host's real VMs reach the controller's endpoint at, which goes into
/// their DHCP boot file (every script after it names the address the VM asked at): the host's
/// `bootAddress` from the lab file; for a host on the controller's machine QEMU's user-mode
/// gateway (10.0.2.2: QEMU's network connects out from where QEMU runs); for another machine, the
/// controller's own address on the route to it, as the kernel chooses it (a UDP socket connected
/// towards the host, which sends nothing, names its source address).
public enum BootAddress {
    public static func of(_ host: LabHost) -> Result<String, LabError> {
        if let given = host.bootAddress { return .success(given) }
        return listenAddress(for: host) ?? .success(Lab.hostAddressFromGuest)
    }

    /// The controller's own address towards a host on another machine, where the endpoint must
    /// listen for its VMs (a `bootAddress` may be a NAT's, not the controller's); nil for a host
    /// on the controller's machine.
    public static func listenAddress(for host: LabHost) -> Result<String, LabError>? {
        guard let machine = host.remoteMachine else { return nil }
        return sourceAddress(toward: machine).mapError { .bootAddressUnknown(host: host.name, machine: machine, problem: $0.text) }
    }

    private static func sourceAddress(toward machine: String) -> Result<String, MachineSocket.Problem> {
        MachineSocket.with(machine, port: 16509, type: Int32(SOCK_DGRAM.rawValue)) { fd, target in
            guard Glibc.connect(fd, target.ai_addr, target.ai_addrlen) == 0 else { return .failure(.init("no route: \(MachineSocket.Problem.errno.text)")) }
            var local = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let named = withUnsafeMutablePointer(to: &local) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    getsockname(fd, address, &length) == 0
                        && getnameinfo(address, length, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0
                }
            }
            return named ? .success(String(decoding: text.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)) : .failure(.errno)
        }
    }
}

/// Boot addresses found once per host URI and kept: a lab of thousands of VMs on a host asks for
/// the same one for each.
final class BootAddresses: Sendable {
    private let known = Mutex<[String: Result<String, LabError>]>([:])

    func of(_ host: LabHost) -> Result<String, LabError> {
        let key = "\(host.uri) \(host.bootAddress ?? "")"
        if let earlier = known.withLock({ $0[key] }) { return earlier }
        let found = BootAddress.of(host)
        known.withLock { $0[key] = found }
        return found
    }
}
