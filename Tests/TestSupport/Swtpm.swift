import Foundation
public import TPM2
#if canImport(Glibc)
import Glibc
#endif

/// A certificate authority for EK certificates of swtpm's own kind (`swtpm_localca`), in a
/// folder of the test's: configuration files that point swtpm_setup at it, and its state (root
/// and intermediate made on the first TPM it certifies). Tests never touch /var/lib/swtpm-localca.
public struct SwtpmCA: Sendable {
    /// Where the configuration and the CA's state live; removed by the caller.
    public let folder: URL
    /// The CA's state folder (`statedir` in swtpm-localca.conf).
    public var directory: URL { folder.appendingPathComponent("ca") }
    public var rootCertificate: URL { directory.appendingPathComponent("swtpm-localca-rootca-cert.pem") }
    public var issuerCertificate: URL { directory.appendingPathComponent("issuercert.pem") }
    private var setupConfiguration: URL { folder.appendingPathComponent("swtpm_setup.conf") }

    /// Writes swtpm_setup.conf, swtpm-localca.conf and swtpm-localca.options under `folder`
    /// (see `man swtpm_setup`, `man swtpm-localca.conf`).
    public init(folder: URL = makeTemporaryDirectory("pxelab-swtpm-ca")) throws {
        self.folder = folder
        let ca = folder.appendingPathComponent("ca")
        try FileManager.default.createDirectory(at: ca, withIntermediateDirectories: true)
        let files = [
            "swtpm-localca.conf": """
                statedir = \(ca.path)
                signingkey = \(ca.path)/signkey.pem
                issuercert = \(ca.path)/issuercert.pem
                certserial = \(ca.path)/certserial

                """,
            "swtpm-localca.options": "--platform-manufacturer pxelab\n--platform-version 1.0\n--platform-model lab\n",
            "swtpm_setup.conf": """
                create_certs_tool = /usr/bin/swtpm_localca
                create_certs_tool_config = \(folder.path)/swtpm-localca.conf
                create_certs_tool_options = \(folder.path)/swtpm-localca.options
                active_pcr_banks = sha256

                """,
        ]
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
    }

    /// Manufactures a TPM 2.0's state in a new folder (under ``folder``), as libvirt does on a vTPM's first start:
    /// an RSA-2048 EK persisted at 0x81010001 (and an ECC P-384 one), with their certificates from
    /// this CA and a platform certificate, or with `endorsementCertificate: false` the EK alone.
    public func manufacture(endorsementCertificate: Bool = true) throws -> URL {
        let state = folder.appendingPathComponent("tpm-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let log = state.appendingPathComponent("swtpm_setup.log")
        let certificates = endorsementCertificate
            ? ["--create-ek-cert", "--create-platform-cert", "--write-ek-cert-files", state.path] : ["--createek"]
        let status = try runTool("/usr/bin/swtpm_setup", ["--tpm2", "--tpmstate", state.path, "--config", setupConfiguration.path,
                                                          "--logfile", log.path] + certificates, output: log)
        guard status == 0 else {
            throw SwtpmError("swtpm_setup exited with \(status): \((try? String(contentsOf: log, encoding: .utf8)) ?? "(no log)")")
        }
        return state
    }
}

/// A running `swtpm socket --tpm2` on a loopback port, serving one manufactured state with raw
/// TPM commands on its data channel. ``stop()`` (or the end of the object) kills it.
public final class SwtpmProcess: @unchecked Sendable {
    /// The data channel's port, on 127.0.0.1.
    public let port: UInt16
    public let state: URL
    private let removingState: Bool
    private let lock = NSLock()
    private var pid: pid_t?

    /// Starts swtpm on free ports (data and control channel) and returns once its data channel
    /// accepts a connection, within `deadline`. swtpm is initialised and started up itself
    /// (`--flags not-need-init,startup-clear`). A port taken between choosing and binding it
    /// makes swtpm exit: then other ports are tried. With `removingStateOnStop`, ``stop()``
    /// removes the state folder too.
    public init(state: URL, removingStateOnStop: Bool = false, deadline: Duration = .seconds(20)) throws {
        self.state = state
        self.removingState = removingStateOnStop
        let log = state.appendingPathComponent("swtpm.log")
        let clock = ContinuousClock()
        let end = clock.now + deadline
        var lastFailure = "not started"
        while clock.now < end {
            let (data, control) = (try Self.unusedPort(), try Self.unusedPort())
            let pid = try spawnTool("/usr/bin/swtpm", [
                "socket", "--tpm2", "--tpmstate", "dir=\(state.path)",
                "--server", "type=tcp,port=\(data),bindaddr=127.0.0.1",
                "--ctrl", "type=tcp,port=\(control),bindaddr=127.0.0.1",
                "--flags", "not-need-init,startup-clear",
            ], errorOutput: log)
            switch Self.waitUntilListening(pid: pid, port: data, until: end, clock: clock) {
            case .listening:
                self.port = data
                self.pid = pid
                return
            case .exited(let status):
                lastFailure = "swtpm exited with \(status): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")"
            case .timedOut:
                kill(pid, SIGKILL)
                _ = try? waitForTool(pid, path: "swtpm")
                throw SwtpmError("swtpm did not listen on 127.0.0.1:\(data) within \(deadline)")
            }
        }
        throw SwtpmError("swtpm did not start within \(deadline): \(lastFailure)")
    }

    deinit { stop() }

    /// Ends swtpm: SIGTERM, and SIGKILL if it is still there 5 s later. Safe to call more than once.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard let pid else { return }
        self.pid = nil
        kill(pid, SIGTERM)
        var status: Int32 = 0
        let clock = ContinuousClock()
        let end = clock.now + .seconds(5)
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard clock.now < end else {
                kill(pid, SIGKILL)
                _ = try? waitForTool(pid, path: "swtpm")
                break
            }
            usleep(5_000)
        }
        if removingState { try? FileManager.default.removeItem(at: state) }
    }

    private enum Readiness { case listening, exited(Int32), timedOut }

    /// Connects to the port every 10 ms until it accepts, swtpm exits, or the deadline passes.
    private static func waitUntilListening(pid: pid_t, port: UInt16, until end: ContinuousClock.Instant,
                                           clock: ContinuousClock) -> Readiness {
        while clock.now < end {
            let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let connected = IPv4SocketAddress(host: "127.0.0.1", port: Int(port)).withSockaddr { connect(probe, $0, $1) }
            close(probe)
            if connected == 0 { return .listening }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return .exited(status) }
            usleep(10_000)
        }
        return .timedOut
    }

    /// A port the kernel has just found free on 127.0.0.1.
    public static func unusedPort() throws -> UInt16 {
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(probe) }
        guard IPv4SocketAddress(host: "127.0.0.1", port: 0).withSockaddr({ bind(probe, $0, $1) }) == 0 else {
            throw SwtpmError("cannot bind a probe socket: \(String(cString: strerror(errno)))")
        }
        guard let port = IPv4SocketAddress.port(boundTo: probe) else {
            throw SwtpmError("cannot read the probe socket's port: \(String(cString: strerror(errno)))")
        }
        return UInt16(port)
    }
}

/// swtpm or swtpm_setup failed; the message carries their log.
public struct SwtpmError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The TPMs the attestation tests use, manufactured once per test process under one temporary
/// folder (removed when the process exits): a TPM certified by the lab's CA, one certified by
/// another CA, one with no EK certificate. Each test starts swtpm on a copy of a state of its
/// own (a copy is the same TPM: same seeds, same EK), so tests run side by side.
public struct SwtpmLab: Sendable {
    /// The CA the lab trusts, and one it does not.
    public let ca: SwtpmCA
    public let otherCA: SwtpmCA
    private let states: [Kind: URL]

    public enum Kind: Sendable, CaseIterable {
        /// Its EK certificate is from ``SwtpmLab/ca``.
        case certified
        /// Its EK certificate is from ``SwtpmLab/otherCA``.
        case certifiedByOtherCA
        /// An EK, but no EK certificate in NV.
        case uncertified
    }

    private static let made = Result { try SwtpmLab() }

    /// The lab, manufactured on first use (about a second and a half per TPM).
    public static func shared() throws -> SwtpmLab { try made.get() }

    private init() throws {
        let root = makeTemporaryDirectory("pxelab-swtpm")
        Self.root = root
        atexit { if let root = SwtpmLab.root { try? FileManager.default.removeItem(at: root) } }
        ca = try SwtpmCA(folder: root.appendingPathComponent("ca"))
        otherCA = try SwtpmCA(folder: root.appendingPathComponent("other-ca"))
        states = [
            .certified: try ca.manufacture(),
            .certifiedByOtherCA: try otherCA.manufacture(),
            .uncertified: try ca.manufacture(endorsementCertificate: false),
        ]
    }

    /// The folder everything is made in, for the exit handler (which can capture nothing).
    nonisolated(unsafe) private static var root: URL?

    /// Runs `body` with the data ports of fresh swtpms of `kinds`, on a thread of its own (a
    /// TPM's socket blocks, and a test's task must not hold a thread of the cooperative pool for
    /// it); every swtpm started is stopped however `body` ends. Expectations belong after this
    /// returns: `body` runs outside the test's task.
    public static func withSwtpms<T: Sendable>(_ kinds: [Kind], _ body: @escaping @Sendable ([UInt16]) throws -> T) async throws -> T {
        try await onThreadOfItsOwn {
            let lab = try shared()
            var running: [SwtpmProcess] = []
            defer { running.forEach { $0.stop() } }
            for kind in kinds { running.append(try lab.start(kind)) }
            return try body(running.map(\.port))
        }
    }

    /// Runs `body` with a ``TPM2/TPM`` on a fresh swtpm of each of `kinds`, as
    /// ``withSwtpms(_:_:)`` does.
    public static func withTPMs<T: Sendable>(_ kinds: [Kind], _ body: @escaping @Sendable ([TPM]) throws -> T) async throws -> T {
        try await withSwtpms(kinds) { ports in try body(ports.map { TPM(transport: try TPMSocket(port: $0)) }) }
    }

    /// Runs `body` with a ``TPM2/TPM`` on a fresh swtpm of `kind`.
    public static func withTPM<T: Sendable>(_ kind: Kind, _ body: @escaping @Sendable (TPM) throws -> T) async throws -> T {
        try await withTPMs([kind]) { try body($0[0]) }
    }

    /// The EK certificate (DER) swtpm_setup wrote beside a `kind` TPM's state: what its NV holds.
    public func endorsementCertificate(_ kind: Kind) -> URL { states[kind]!.appendingPathComponent("ek-rsa2048.crt") }

    /// Starts swtpm on a fresh copy of a `kind` TPM's state.
    public func start(_ kind: Kind) throws -> SwtpmProcess {
        let copy = makeTemporaryDirectory("pxelab-swtpm-run")
        let permanent = "tpm2-00.permall"
        try FileManager.default.copyItem(at: states[kind]!.appendingPathComponent(permanent), to: copy.appendingPathComponent(permanent))
        return try SwtpmProcess(state: copy, removingStateOnStop: true)
    }
}
