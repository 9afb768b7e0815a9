import NIOCore
import NIOPosix

/// A TFTP client of the tests' own over a UDP socket: it sends the packets a test writes (so a
/// test can drop, repeat or forge them) and hands over what arrives, in order, each wait bounded.
final class RawClient: Sendable {
    private let channel: any Channel
    private let inbox: NIOLoopBound<Inbox>

    /// The client's own address (its TID).
    var address: SocketAddress { channel.localAddress! }

    private init(channel: any Channel, inbox: NIOLoopBound<Inbox>) {
        self.channel = channel
        self.inbox = inbox
    }

    static func open() async throws -> RawClient {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // Blocks up to RFC 2348's largest.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Inbox()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let inbox = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: Inbox.self), eventLoop: channel.eventLoop)
        }.get()
        return RawClient(channel: channel, inbox: inbox)
    }

    func send(_ packet: [UInt8], to port: Int) async throws {
        try await send(packet, to: try SocketAddress(ipAddress: "127.0.0.1", port: port))
    }

    func send(_ packet: [UInt8], to address: SocketAddress) async throws {
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: packet)))
    }

    /// The next packet that arrives, with who sent it.
    func receive(within seconds: Int64 = 60) async throws -> (packet: ServerPacket, from: SocketAddress) {
        let envelope = try await channel.eventLoop.flatSubmit { [inbox] in
            inbox.value.next(within: .seconds(seconds), on: inbox.eventLoop)
        }.get()
        return (ServerPacket(envelope.data), envelope.remoteAddress)
    }

    func close() async {
        try? await channel.close()
    }
}

/// What arrives at a ``RawClient``, queued until asked for.
private final class Inbox: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private var arrived = CircularBuffer<AddressedEnvelope<ByteBuffer>>()
    private var waiting: EventLoopPromise<AddressedEnvelope<ByteBuffer>>?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        if let waiting {
            self.waiting = nil
            waiting.succeed(envelope)
        } else {
            arrived.append(envelope)
        }
    }

    func next(within timeout: TimeAmount, on loop: any EventLoop) -> EventLoopFuture<AddressedEnvelope<ByteBuffer>> {
        if let first = arrived.popFirst() { return loop.makeSucceededFuture(first) }
        let promise = loop.makePromise(of: AddressedEnvelope<ByteBuffer>.self)
        waiting = promise
        let deadline = loop.assumeIsolated().scheduleTask(in: timeout) {
            guard self.waiting?.futureResult === promise.futureResult else { return }
            self.waiting = nil
            promise.fail(DeadlineExceeded(what: "no packet within \(timeout)"))
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        return promise.futureResult
    }
}

/// A packet as the server sends it, decoded by the tests' own reading of RFC 1350 and 2347.
enum ServerPacket: Equatable, CustomStringConvertible {
    case data(block: UInt16, bytes: [UInt8])
    case oack([String: String])
    case error(code: UInt16, message: String)
    case other([UInt8])

    init(_ datagram: ByteBuffer) {
        var buffer = datagram
        let bytes = Array(buffer.readableBytesView)
        func strings() -> [String] {
            var fields = buffer.readableBytesView.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            if fields.last == "" { fields.removeLast() }
            return fields
        }
        switch (buffer.readInteger(as: UInt16.self), buffer.readInteger(as: UInt16.self)) {
        case (3, let block?):
            self = .data(block: block, bytes: Array(buffer.readableBytesView))
        case (5, let code?):
            self = .error(code: code, message: strings().first ?? "")
        case (6, _):
            buffer.moveReaderIndex(to: 2)
            let fields = strings()
            self = .oack(Dictionary(stride(from: 0, to: fields.count - 1, by: 2).map { (fields[$0], fields[$0 + 1]) }) { first, _ in first })
        default:
            self = .other(bytes)
        }
    }

    var description: String {
        switch self {
        case .data(let block, let bytes): "DATA \(block) (\(bytes.count) bytes)"
        case .oack(let options): "OACK \(options)"
        case .error(let code, let message): "ERROR \(code) '\(message)'"
        case .other(let bytes): "\(bytes.prefix(16))"
        }
    }
}

/// Packets as a client writes them.
enum Wire {
    static func rrq(_ filename: String, mode: String = "octet", options: [(String, String)] = []) -> [UInt8] {
        request(opcode: 1, [filename, mode] + options.flatMap { [$0.0, $0.1] })
    }

    static func wrq(_ filename: String) -> [UInt8] {
        request(opcode: 2, [filename, "octet"])
    }

    static func ack(_ block: UInt16) -> [UInt8] {
        [0, 4, UInt8(block >> 8), UInt8(block & 0xFF)]
    }

    static func error(_ code: UInt16, _ message: String) -> [UInt8] {
        [0, 5, UInt8(code >> 8), UInt8(code & 0xFF)] + Array(message.utf8) + [0]
    }

    private static func request(opcode: UInt8, _ fields: [String]) -> [UInt8] {
        [0, opcode] + fields.flatMap { Array($0.utf8) + [0] }
    }
}
