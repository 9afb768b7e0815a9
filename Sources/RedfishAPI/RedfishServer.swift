public import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import LabFiles
import LabService
import Logging
import NIOCore
import NIOSSL
import PipelineAnswers
public import HTTPConnections
import ServiceLifecycle
import Synchronization

/// The Redfish service on a listener of its own: HTTPS by default, with the lab CA's server
/// certificate (``RedfishTLS``), loopback by default; plain HTTP only when asked.
public final class RedfishServer: Sendable {
    public struct Options: Sendable {
        /// Where to listen (`--redfish-listen ADDR:PORT`); port 0 picks a free one.
        public var host: String
        public var port: Int
        /// HTTPS (the default) or plain HTTP.
        public var tls: Bool
        /// What each connection is allowed, as the endpoint's (`pxelab serve`'s limits apply to both).
        public var connectionLimits: ConnectionLimits
        /// Told each connection decision (a run's or `serve`'s endpoint counts them in its /metrics).
        public var connectionObserver: (any ConnectionObserver)?

        public init(host: String = "127.0.0.1", port: Int = 0, tls: Bool = true, connectionLimits: ConnectionLimits = ConnectionLimits()) {
            self.host = host
            self.port = port
            self.tls = tls
            self.connectionLimits = connectionLimits
        }

        /// `ADDR:PORT` (`[v6]:PORT` for IPv6), as `--redfish-listen` takes it.
        public init?(listen: String, tls: Bool) {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port) else {
                return nil
            }
            var host = String(listen[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self.init(host: host, port: port, tls: tls)
        }

        public var isLoopback: Bool { HTTPConnections.isLoopback(host) }
    }

    public let service: RedfishService
    public let options: Options
    /// The CA certificate clients trust (HTTPS only).
    public let authorityFile: URL?
    private let tlsConfiguration: TLSConfiguration?
    /// Its HTTP connections open, counted against ``Options/connectionLimits``.
    private let connectionCount = ConnectionCount()
    private let running = Mutex<Listener?>(nil)

    public init(service: RedfishService, options: Options = Options()) throws {
        self.service = service
        self.options = options
        // A wildcard listener is reached through loopback here too.
        service.listenAddress.withLock { $0 = ["0.0.0.0", "::", "localhost"].contains(options.host) ? "127.0.0.1" : options.host }
        if options.tls {
            let material = try RedfishTLS(in: service.lab.directory, host: options.host)
            authorityFile = material.authorityFile
            tlsConfiguration = try material.serverConfiguration()
        } else {
            authorityFile = nil
            tlsConfiguration = nil
        }
    }

    /// `https://127.0.0.1:PORT` (or http) for a bound port.
    public func url(port: Int) -> String {
        "\(options.tls ? "https" : "http")://\(urlHost(options.host)):\(port)"
    }

    /// Starts listening and returns the bound port.
    public func start() async throws -> Int {
        let router = Router()
        service.add(to: router)
        var logger = Logger(label: "pxelab.redfish")
        logger.logLevel = .warning
        let configuration = ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "pxelab",
                                                     backlog: 4096)
        let service = service
        let (limits, count, observer) = (options.connectionLimits, connectionCount, options.connectionObserver)
        let http1 = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [
            ConnectionGuard(limits: limits, count: count, observer: observer),
            UnknownMethodHandler(),
            PipelineAnswerHandler(answer: { request, _ in service.answerInPipeline(request) }),
        ], httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes)))
        let server = try tlsConfiguration.map { try HTTPServerBuilder.tls(http1, tlsConfiguration: $0) } ?? http1
        let listener = await Listener.start(logger: logger) { bound in
            Application(router: router, server: server, configuration: configuration,
                        onServerRunning: { channel in bound(channel.localAddress?.port ?? 0) }, logger: logger)
        }
        guard let port = listener.port else {
            throw RedfishSetupError("the Redfish service stopped before listening: \(await listener.failure)")
        }
        running.withLock { $0 = listener }
        return port
    }

    /// Stops listening (requests in flight finish, and the resets it accepted) and waits until it has.
    public func stop() async {
        guard let listener = running.withLock({ value in defer { value = nil }; return value }) else { return }
        await listener.stop()
        // Resets it accepted are carried out before the lab goes down.
        await service.resetsCarriedOut()
    }
}

struct RedfishSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
