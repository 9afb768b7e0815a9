import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A second libvirt host on this machine (`scripts/netns-libvirt-host.sh`): libvirtd in a network
/// namespace of its own, reached from here over `qemu+tcp` at an address from 198.18.0.0/15,
/// with its own config and state. ``withNetnsLibvirtHost(name:index:_:)`` removes it afterwards,
/// whatever the test did; a host left by a killed test is removed when the next one starts.
public struct NetnsLibvirtHost: Sendable {
    /// 1-12 of a-z, 0-9 and `-` (its link's interface names derive from it).
    public let name: String
    /// Which /30 of 198.18.0.0/24 it uses (0-63): tests running side by side take different ones.
    public let index: Int
    /// Its libvirt state (config, sockets, images, logs), removed with it.
    public let state: URL

    /// This machine's end of the link, the address the host's VMs reach the controller at.
    public var controllerAddress: String { "198.18.0.\(4 * index + 1)" }
    /// The host's address.
    public var address: String { "198.18.0.\(4 * index + 2)" }
    public var uri: String { "qemu+tcp://\(address)/system" }
    /// Its own swtpm local CA (mounted at /var/lib/swtpm-localca in its namespace), which certifies
    /// its vTPMs' EKs as another machine's would: what a lab file names as its `ekAuthority`.
    public var swtpmLocalCA: URL { state.appendingPathComponent("swtpm-localca") }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/netns-libvirt-host.sh").standardizedFileURL.path

    /// Runs the script with a command and this host's arguments, on a thread of its own: the
    /// script waits on processes (seconds under load) and the cooperative pool has few threads.
    func script(_ command: String, _ arguments: [String]) async throws {
        try await onThreadOfItsOwn { try runScript(command, arguments) }
    }

    private func runScript(_ command: String, _ arguments: [String]) throws {
        // As root, or through sudo (as make test's package installation is).
        let (tool, prefix) = getuid() == 0 ? ("/bin/bash", []) : ("/usr/bin/sudo", ["-n", "/bin/bash"])
        let status = try runTool(tool, prefix + [Self.script, command, name] + arguments)
        guard status == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "netns-libvirt-host.sh \(command) \(name) exited \(status)"])
        }
    }

    /// Starts it and waits until its libvirtd listens (at most 30 s).
    static func start(name: String, index: Int) async throws -> NetnsLibvirtHost {
        let host = NetnsLibvirtHost(name: name, index: index,
                                    state: FileManager.default.temporaryDirectory.appendingPathComponent("pxelab-netns-\(name)"))
        do {
            try await host.script("up", [String(index), host.state.path])
            let deadline = ContinuousClock.now + .seconds(30)
            while !host.listening() {
                guard ContinuousClock.now < deadline else {
                    throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "libvirtd on \(host.address) did not listen within 30 s"])
                }
                try await Task.sleep(for: .milliseconds(100))  // libvirtd is still starting: ask again
            }
            return host
        } catch {
            try? await host.remove()  // a failed or cancelled start leaves nothing behind
            throw error
        }
    }

    /// Whether libvirtd accepts a TCP connection on its port.
    private func listening() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        return IPv4SocketAddress(host: address, port: 16509).withSockaddr { connect(fd, $0, $1) } == 0
    }

    /// Removes its processes, namespace, link, guard route and state.
    public func remove() async throws { try await script("down", [String(index), state.path]) }

    /// Its network goes silent (the link's far end down): packets to it die on the way.
    public func cutNetwork() async throws { try await script("cut", []) }
    public func mendNetwork() async throws { try await script("mend", []) }
    /// Its libvirtd dies (SIGKILL); its QEMUs keep running.
    public func killLibvirtd() async throws { try await script("kill-libvirtd", [state.path]) }
    public func startLibvirtd() async throws { try await script("start-libvirtd", [state.path]) }
}

/// Runs `body` with a second libvirt host and always removes it.
public func withNetnsLibvirtHost<Result>(name: String, index: Int, _ body: (NetnsLibvirtHost) async throws -> Result) async throws -> Result {
    let host = try await NetnsLibvirtHost.start(name: name, index: index)
    let result: Result
    do {
        result = try await body(host)
    } catch {
        try? await host.remove()  // the body's failure is the one to report
        throw error
    }
    try await host.remove()
    return result
}
