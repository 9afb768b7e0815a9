import Logging
import NIOCore

/// Reads requests on the server's port. An RRQ that can be served is handed to the
/// ``TransferStarter``; everything else is answered here with an ERROR, and nothing is kept.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let starter: TransferStarter
    private let logger: Logger

    init(starter: TransferStarter, logger: Logger) {
        self.starter = starter
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        switch ClientPacket(parsing: envelope.data) {
        case .request(let packet):
            read(packet, envelope: envelope, context: context)
        case .error:
            // Never answered: two peers could otherwise answer each other's errors forever.
            return
        case .ack, .serverOnly, nil:
            refuse(.illegalOperation, "illegal TFTP operation", to: envelope.remoteAddress, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("TFTP listener: \(error)")
    }

    private func read(_ packet: RequestPacket, envelope: AddressedEnvelope<ByteBuffer>, context: ChannelHandlerContext) {
        let client = envelope.remoteAddress
        guard !packet.isWrite else {
            return refuse(.accessViolation, "access violation: this server only reads", to: client, context: context)
        }
        guard let mode = TFTPMode(rawValue: packet.mode) else {
            return refuse(.illegalOperation, "illegal TFTP operation: mode '\(packet.mode)' is not served", to: client, context: context)
        }
        let path: String
        switch RequestPath(filename: packet.filename) {
        case .path(let normalised): path = normalised
        case .refused(let reason): return refuse(.accessViolation, "access violation: \(reason)", to: client, context: context)
        }
        switch starter.transfers.admit(client) {
        case .admitted:
            break
        case .busy:
            return refuse(.notDefined, "server busy: \(starter.transfers.limit) transfers in progress, try again",
                          to: client, context: context)
        case .repeated, .closed:
            return
        }
        let request = TFTPRequest(filename: String(decoding: packet.filename, as: UTF8.self), path: path, mode: mode,
                                  client: client, options: packet.options)
        // The transfer's socket has the address the request came to (the listener's, unless that
        // is a wildcard), so that clients which check the server's address accept its packets.
        var local = envelope.metadata?.packetInfo?.destinationAddress ?? context.channel.localAddress
        local?.port = 0
        guard let local else {
            starter.transfers.answered(client, startingOn: nil)
            return
        }
        starter.start(request, on: local, listener: context.channel)
    }

    private func refuse(_ code: ErrorCode, _ message: String, to client: SocketAddress, context: ChannelHandlerContext) {
        logger.debug("TFTP request from \(client) refused: \(message)")
        let packet = context.channel.allocator.errorPacket(code, message)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: client, data: packet)), promise: nil)
    }
}
