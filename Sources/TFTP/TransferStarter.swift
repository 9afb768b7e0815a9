import Logging
import NIOCore
import NIOPosix

/// Starts the transfer of an admitted RRQ: asks the provider, then opens the transfer's socket
/// (a new TID) and leaves it to a ``TransferHandler``. A refusal goes out from the server's port,
/// without a socket of its own.
struct TransferStarter: Sendable {
    let provider: @Sendable (TFTPRequest) async -> TFTPAnswer
    let configuration: TFTPServer.Configuration
    let group: any EventLoopGroup
    let transfers: Transfers
    let logger: Logger
    let ended: @Sendable (TFTPTransferSummary) -> Void

    /// What a transfer's socket reads: ACKs and ERRORs, whose messages may be cut.
    static let receiveLimit = 1024

    func start(_ request: TFTPRequest, on local: SocketAddress, listener: any Channel) {
        Task { await transfer(request, on: local, listener: listener) }
    }

    private func transfer(_ request: TFTPRequest, on local: SocketAddress, listener: any Channel) async {
        let file: ByteBuffer
        switch await provider(request) {
        case .file(let bytes):
            file = request.mode == .netascii ? bytes.netASCII() : bytes
        case .notFound(let message):
            return refuse(request, .fileNotFound, message, listener: listener)
        case .accessViolation(let message):
            return refuse(request, .accessViolation, message, listener: listener)
        }
        let negotiation = Negotiation(options: request.options, fileSize: file.readableBytes, configuration: configuration)
        let (transfers, ended, logger, limit) = (transfers, ended, logger, configuration.retransmissions)
        let client = request.client
        do {
            // The server's group was checked when it started.
            _ = try await DatagramBootstrap(group: group)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.receiveLimit))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // Taken before the socket can close, so that its closing always frees it.
                        guard transfers.answered(client, startingOn: channel) else { throw ShutDown() }
                        channel.closeFuture.whenComplete { _ in transfers.ended(channel) }
                        try channel.pipeline.syncOperations.addHandler(TransferHandler(
                            request: request, file: file, negotiation: negotiation, retransmissionLimit: limit,
                            ended: { summary in
                                // Freed before the summary is told (closeFuture comes later).
                                transfers.ended(channel)
                                logger.debug("TFTP \(request.path) to \(client): \(summary.outcome), \(summary.size) bytes, \(summary.retransmissions) retransmissions")
                                ended(summary)
                            }))
                    }
                }
                .bind(to: local).get()
        } catch is ShutDown {
            return
        } catch {
            logger.warning("TFTP \(request.path) to \(client): cannot open a transfer socket: \(error)")
            refuse(request, .notDefined, "cannot open a transfer socket", listener: listener)
        }
    }

    private func refuse(_ request: TFTPRequest, _ code: ErrorCode, _ message: String, listener: any Channel) {
        logger.debug("TFTP \(request.path) to \(request.client) refused: \(message)")
        transfers.answered(request.client, startingOn: nil)
        let packet = listener.allocator.errorPacket(code, message)
        listener.writeAndFlush(AddressedEnvelope(remoteAddress: request.client, data: packet), promise: nil)
    }

    /// The server was shut down while the provider answered.
    private struct ShutDown: Error {}
}
