import NIOCore

/// One read transfer, on a socket of its own (the server's TID for it), answering only its
/// client's TID. It sends a window of DATA blocks (one block unless RFC 7440's `windowsize` was
/// agreed), each a 4-byte header and the block's bytes taken from the file's buffer, and sends
/// the next window when the client acknowledges the last block of one. Only the timer sends
/// anything again: a duplicate ACK is ignored, so that a delayed ACK cannot double every block
/// from there on (the Sorcerer's Apprentice bug, RFC 1123 4.2.3.1).
final class TransferHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let request: TFTPRequest
    private let file: ByteBuffer
    private let negotiation: Negotiation
    private let retransmissionLimit: Int
    /// Called once, when the socket is closed.
    private let ended: @Sendable (TFTPTransferSummary) -> Void
    /// The number of blocks: a file whose size is a multiple of the block size ends with an
    /// empty one, and an empty file is one empty block.
    private let lastBlock: Int
    /// Waiting for ACK 0 to the OACK.
    private var negotiating: Bool
    /// The blocks are counted from 1 without wrapping; their 16-bit numbers on the wire wrap
    /// from 65535 to 0.
    private var acknowledged = 0
    private var sent = 0
    private var lastSend = NIODeadline.now()
    private var started = NIODeadline.now()
    /// Timeouts in a row without an ACK that moved the transfer on.
    private var timeouts = 0
    private var retransmissions = 0
    /// One timer per transfer, due a timeout after the last send: an ACK moves `lastSend`, and
    /// a timer that fires early waits again, instead of a timer per block.
    private var timer: Scheduled<Void>?
    private var outcome: TFTPTransferSummary.Outcome?
    /// Reused for every DATA packet: once the previous one is written, nothing else holds it.
    private var packet = ByteBuffer()

    init(request: TFTPRequest, file: ByteBuffer, negotiation: Negotiation, retransmissionLimit: Int,
         ended: @escaping @Sendable (TFTPTransferSummary) -> Void) {
        self.request = request
        self.file = file
        self.negotiation = negotiation
        self.retransmissionLimit = retransmissionLimit
        self.ended = ended
        self.lastBlock = file.readableBytes / negotiation.blockSize + 1
        self.negotiating = !negotiation.acknowledged.isEmpty
        packet.reserveCapacity(4 + negotiation.blockSize)
    }

    func channelActive(context: ChannelHandlerContext) {
        started = .now()
        if negotiating {
            sendOACK(context: context)
        } else {
            sendWindow(context: context, from: 1)
        }
        armTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        ended(TFTPTransferSummary(request: request, outcome: outcome ?? .shutDown, size: file.readableBytes,
                                  blockSize: negotiation.blockSize, windowSize: negotiation.windowSize,
                                  retransmissions: retransmissions, duration: .now() - started))
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard outcome == nil else { return }
        let packet = ClientPacket(parsing: envelope.data)
        guard envelope.remoteAddress == request.client else {
            // Another TID: told so (RFC 1350), and the transfer goes on. An ERROR is never answered.
            if case .error = packet { return }
            send(context: context, context.channel.allocator.errorPacket(.unknownTransferID, "unknown transfer ID"), to: envelope.remoteAddress)
            return
        }
        switch packet {
        case .ack(let block):
            acknowledge(block, context: context)
        case .error(let code, let message):
            finish(context: context, .clientError(code: code, message: message))
        case .request, .serverOnly, nil:
            finish(context: context, .illegalPacket,
                   telling: context.channel.allocator.errorPacket(.illegalOperation, "illegal TFTP operation"))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A failed send or receive (an ICMP error, a full buffer): the timer sends again or ends it.
    }

    private func acknowledge(_ block: UInt16, context: ChannelHandlerContext) {
        if negotiating {
            // Only ACK 0 answers an OACK.
            guard block == 0 else { return }
            negotiating = false
            timeouts = 0
            sendWindow(context: context, from: 1)
            return
        }
        // The distance from the last acknowledged block, modulo 2^16: a duplicate is 0, a stale
        // ACK from before lands past what was sent. Windows are far below 2^15, so this is unique.
        let advance = Int(block &- UInt16(truncatingIfNeeded: acknowledged))
        guard advance > 0, acknowledged + advance <= sent else { return }
        acknowledged += advance
        timeouts = 0
        if acknowledged == lastBlock {
            finish(context: context, .completed)
        } else {
            // After the window's last block, the next window; after an earlier one (the client
            // saw a gap, RFC 7440), the window again from the block after it.
            sendWindow(context: context, from: acknowledged + 1)
        }
    }

    private func sendOACK(context: ChannelHandlerContext) {
        var oack = context.channel.allocator.buffer(capacity: 64)
        oack.writeOACK(negotiation.acknowledged)
        send(context: context, oack, to: request.client)
        lastSend = .now()
    }

    private func sendWindow(context: ChannelHandlerContext, from first: Int) {
        let last = min(first + negotiation.windowSize - 1, lastBlock)
        for block in first...last {
            let offset = (block - 1) * negotiation.blockSize
            let length = min(negotiation.blockSize, file.readableBytes - offset)
            // Fresh storage only if an earlier packet is still queued (within a window).
            packet.clear()
            packet.writeDataHeader(block: UInt16(truncatingIfNeeded: block))
            // Copied from the file's bytes in place: a slice (`getSlice`) of a buffer past 16 MiB
            // is a copy of its own, as ByteBuffer's slices start below 2^24.
            _ = file.withUnsafeReadableBytes { bytes in
                packet.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]))
            }
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: request.client, data: packet)), promise: nil)
        }
        context.flush()
        sent = max(sent, last)
        lastSend = .now()
    }

    private func send(context: ChannelHandlerContext, _ packet: ByteBuffer, to address: SocketAddress) {
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: address, data: packet)), promise: nil)
    }

    private func armTimer(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: lastSend + negotiation.timeout) {
            self.timerFired(context: context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        guard outcome == nil else { return }
        guard lastSend + negotiation.timeout <= .now() else {
            // Something was sent since the timer was set: a timeout from that.
            armTimer(context: context)
            return
        }
        timeouts += 1
        guard timeouts <= retransmissionLimit else {
            finish(context: context, .timedOut, telling: context.channel.allocator.errorPacket(.notDefined, "transfer timed out"))
            return
        }
        retransmissions += 1
        if negotiating {
            sendOACK(context: context)
        } else {
            sendWindow(context: context, from: acknowledged + 1)
        }
        armTimer(context: context)
    }

    /// Ends the transfer: the socket is closed (after `error` is sent, if any), which frees the
    /// client's place and reports the summary.
    private func finish(context: ChannelHandlerContext, _ outcome: TFTPTransferSummary.Outcome, telling error: ByteBuffer? = nil) {
        self.outcome = outcome
        timer?.cancel()
        guard let error else {
            context.close(promise: nil)
            return
        }
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: request.client, data: error)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
