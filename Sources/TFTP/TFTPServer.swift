public import Logging
public import NIOCore
public import NIOPosix

/// A TFTP server for read requests (RFC 1350, with RFC 2347's option negotiation and the
/// `blksize`, `tsize`, `timeout` and `windowsize` options of RFCs 2348, 2349 and 7440) whose files
/// come from the caller at request time. Writes are refused.
///
/// Each transfer has its own socket (a new TID, as RFC 1350 says) on the address the request
/// came to, and answers only its client's TID. At most `maximumTransfers` run at once; beyond,
/// a request is refused as busy. A client's repeated RRQ while the provider answers it is ignored.
///
/// ```swift
/// let server = try await TFTPServer.start(port: 6969) { request in
///     guard let config = configs[request.path] else { return .notFound("\(request.path): no such file") }
///     return .file(config)
/// }
/// print("tftp://127.0.0.1:\(server.port)/")
/// await server.shutdown()
/// ```
public final class TFTPServer: Sendable {
    /// The server's limits and timings.
    public struct Configuration: Sendable {
        /// The largest `blksize` agreed (RFC 2348 allows up to 65464). The default fits a block
        /// in one Ethernet frame through QEMU's user-mode network: 1468 + 4 (TFTP) + 8 (UDP) +
        /// 20 (IPv4) = 1500.
        public var maximumBlockSize = 1468
        /// The largest `windowsize` agreed (RFC 7440); 1 is lock-step whatever the client asks.
        public var maximumWindowSize = 64
        /// Transfers at once, counting requests the provider is answering.
        public var maximumTransfers = 256
        /// How long a transfer waits for an ACK before it sends again, unless the client asked
        /// for a `timeout` (whole seconds, RFC 2349).
        public var timeout: TimeAmount = .seconds(1)
        /// Retransmissions in a row before a transfer gives up (and tells the client).
        public var retransmissions = 5

        public init() {}
    }

    /// The bound port (the ephemeral one chosen when started with port 0).
    public let port: Int
    private let listener: any Channel
    private let transfers: Transfers

    private init(listener: any Channel, transfers: Transfers) {
        self.listener = listener
        self.transfers = transfers
        self.port = listener.localAddress?.port ?? 0
    }

    /// Transfers running, and requests whose provider is still answering.
    public var activeTransfers: Int { transfers.count }

    /// Binds the server's port and starts answering.
    ///
    /// - Parameters:
    ///   - host: the address to listen on; loopback by default (QEMU's user-mode network forwards
    ///     the guest's `10.0.2.2` there).
    ///   - port: the port, 0 for an ephemeral one (see ``port``).
    ///   - group: the event loops, which must be NIOPosix's (a `MultiThreadedEventLoopGroup`).
    ///   - ended: called once per transfer, when its socket is closed (not for refused requests).
    ///   - provider: the file for a request, or a refusal. Asked once per admitted RRQ, after the
    ///     filename was checked (never with `..`).
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, configuration: Configuration = Configuration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "pxelab.tftp"),
        ended: @escaping @Sendable (TFTPTransferSummary) -> Void = { _ in },
        provider: @escaping @Sendable (TFTPRequest) async -> TFTPAnswer
    ) async throws -> TFTPServer {
        precondition(Negotiation.blockSizes.contains(configuration.maximumBlockSize), "maximumBlockSize must be in 8...65464")
        precondition((1...16384).contains(configuration.maximumWindowSize), "maximumWindowSize must be in 1...16384")
        precondition(configuration.maximumTransfers > 0 && configuration.retransmissions >= 0)
        let transfers = Transfers(limit: configuration.maximumTransfers)
        let starter = TransferStarter(provider: provider, configuration: configuration, group: group, transfers: transfers,
                                      logger: logger, ended: ended)
        guard let bootstrap = DatagramBootstrap(validatingGroup: group) else { throw TFTPServerError.unsupportedGroup }
        let listener = try await bootstrap
            // A request is read within this bound (RFC 2347 keeps one within 512 bytes); a longer
            // datagram is cut, and refused as malformed.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 1024))
            // The address each request came to, for its transfer's socket.
            .channelOption(.receivePacketInfo, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(starter: starter, logger: logger))
                }
            }
            .bind(host: host, port: port).get()
        return TFTPServer(listener: listener, transfers: transfers)
    }

    /// Closes the server's port and every transfer's socket (their summaries say `shutDown`).
    /// A request whose provider is still answering is dropped when it answers.
    public func shutdown() async {
        try? await listener.close()
        for channel in transfers.close() {
            try? await channel.close()
        }
    }
}

public enum TFTPServerError: Error {
    /// The event loop group is not NIOPosix's, whose sockets the server needs.
    case unsupportedGroup
}
