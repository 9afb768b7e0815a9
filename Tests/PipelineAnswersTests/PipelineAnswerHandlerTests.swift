import Foundation
import Testing
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import PipelineAnswers

/// The pipeline's answering handler on its own, in an `EmbeddedChannel`: which requests it
/// answers, which it leaves to the router, and what it does to the connection.
@Suite("the pipeline's answering handler")
struct PipelineAnswerHandlerTests {
    /// A channel with the handler, answering `GET /fast` with "#!ipxe\n" and nothing else.
    private static func channel(before: [any ChannelHandler] = []) throws -> (EmbeddedChannel, Served) {
        let served = Served()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(before)
        try channel.pipeline.syncOperations.addHandler(PipelineAnswerHandler(
            answer: { request, _ in request.path == "/fast" ? PipelineAnswer(route: "/fast", headerFields: [.contentType: "text/plain; charset=utf-8"], body: ByteBuffer(string: "#!ipxe\n")) : nil },
            served: { answer, _ in served.add(answer.route) }))
        return (channel, served)
    }

    private static func request(_ path: String, connection: String? = nil) -> HTTPRequestPart {
        var fields = HTTPFields()
        if let connection { fields[.connection] = connection }
        return .head(HTTPRequest(method: .get, scheme: nil, authority: "127.0.0.1", path: path, headerFields: fields))
    }

    /// The request parts the router got.
    private static func routed(_ channel: EmbeddedChannel) throws -> [String] {
        var paths: [String] = []
        while let part = try channel.readInbound(as: HTTPRequestPart.self) {
            if case .head(let head) = part { paths.append(head.path ?? "") }
        }
        return paths
    }

    /// The responses written by the handler: each response's status and body.
    private static func answered(_ channel: EmbeddedChannel) throws -> [(HTTPResponse, String)] {
        var responses: [(HTTPResponse, String)] = []
        var head: HTTPResponse?
        var body = ""
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
            switch part {
            case .head(let response): head = response
            case .body(let buffer): body += String(buffer: buffer)
            case .end:
                if let head { responses.append((head, body)) }
                (head, body) = (nil, "")
            }
        }
        return responses
    }

    @Test func itAnswersWhatItCanAndPassesTheRestOn() throws {
        let (channel, served) = try Self.channel()
        try channel.writeInbound(Self.request("/fast"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        let responses = try Self.answered(channel)
        try #require(responses.count == 1)
        let (head, body) = responses[0]
        #expect(head.status == .ok && body == "#!ipxe\n")
        #expect(head.headerFields[.contentLength] == "7")
        #expect(head.headerFields[.contentType] == "text/plain; charset=utf-8")
        #expect(head.headerFields[.server] == "pxelab")
        #expect(head.headerFields[.date] != nil)
        #expect(head.headerFields[.connection] == nil)
        #expect(served.routes == ["/fast"])
        #expect(try Self.routed(channel).isEmpty)

        // Not a GET, or not answerable: the router's.
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "x", path: "/fast")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.routed(channel) == ["/fast"])
        #expect(try Self.answered(channel).isEmpty)
        #expect(served.routes == ["/fast"])
    }

    @Test func aRequestBehindOneWithTheRouterWaitsForIt() throws {
        let (channel, _) = try Self.channel()
        for path in ["/slow", "/fast"] {
            try channel.writeInbound(Self.request(path))
            try channel.writeInbound(HTTPRequestPart.end(nil))
        }
        // Both go to the router: answering /fast here would overtake /slow's response.
        #expect(try Self.routed(channel) == ["/slow", "/fast"])
        #expect(try Self.answered(channel).isEmpty)
        // The router answers the first: the second is still with it.
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        try channel.writeInbound(Self.request("/fast"))
        #expect(try Self.routed(channel) == ["/fast"])
        // Once the router has answered everything, the handler answers again.
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try Self.answered(channel)
        try channel.writeInbound(Self.request("/fast"))
        #expect(try Self.routed(channel).isEmpty)
        #expect(try Self.answered(channel).count == 1)
    }

    @Test func aClientThatDoesNotReadIsLeftToTheRoutersBackpressure() throws {
        let (channel, served) = try Self.channel()
        channel.isWritable = false
        try channel.writeInbound(Self.request("/fast"))
        #expect(try Self.routed(channel) == ["/fast"])
        #expect(served.routes.isEmpty)
    }

    @Test func connectionCloseEndsTheConnectionAfterTheResponse() throws {
        let (channel, served) = try Self.channel()
        // The option among others, in any case.
        try channel.writeInbound(Self.request("/fast", connection: "keep-alive, Close"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(Self.request("/fast"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        let responses = try Self.answered(channel)
        #expect(responses.count == 1)
        #expect(responses.first?.0.headerFields[.connection] == "close")
        #expect(served.routes == ["/fast"])
        #expect(try Self.routed(channel).isEmpty)
    }

    @Test func nothingIsAnsweredAfterARequestTheRouterEndsTheConnectionWith() throws {
        let (channel, served) = try Self.channel()
        try channel.writeInbound(Self.request("/slow", connection: "close"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try channel.readOutbound(as: HTTPResponsePart.self)
        _ = try channel.readOutbound(as: HTTPResponsePart.self)
        try channel.writeInbound(Self.request("/fast"))
        #expect(try Self.routed(channel) == ["/slow"])
        #expect(try Self.answered(channel).isEmpty)
        #expect(served.routes.isEmpty)
    }

    @Test func aCloseWaitsForTheResponsesStillBeingSent() throws {
        let held = HeldWrites()
        let (channel, _) = try Self.channel(before: [held])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        try channel.writeInbound(Self.request("/fast"))
        // What Hummingbird does when the client half-closes before it has seen a request.
        let closed = channel.close()
        #expect(channel.isActive)
        #expect(held.count == 3)
        held.release()
        try closed.wait()
        #expect(!channel.isActive)
        #expect(try Self.answered(channel).count == 1)
    }
}

/// Routes answered by the handler, as its `served` callback reports them.
private final class Served: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ route: String) { lock.withLock { list.append(route) } }
    var routes: [String] { lock.withLock { list } }
}

/// Holds every write on its way to the socket until released: a client that reads slowly.
private final class HeldWrites: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = HTTPResponsePart
    private var writes: [(NIOAny, EventLoopPromise<Void>?)] = []
    private var context: ChannelHandlerContext?

    var count: Int { writes.count }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        writes.append((data, promise))
    }

    func flush(context: ChannelHandlerContext) {}

    func release() {
        guard let context else { return }
        for (data, promise) in writes { context.write(data, promise: promise) }
        writes = []
        context.flush()
    }
}
