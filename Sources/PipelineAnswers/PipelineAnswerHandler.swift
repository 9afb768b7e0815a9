import Foundation
public import HTTPTypes
public import NIOCore
public import NIOHTTPTypes

/// Answers GET requests whose answer is in memory in the channel pipeline, on the event loop that
/// read them, before Hummingbird turns a request into an async task: for the hottest paths (a
/// fleet's boot storm asking for its boot scripts, Metal3 polling every system over Redfish) the
/// hand-off to the task costs more than the answer. Everything else, and any request the
/// answerer declines (it would have to wait for something, or refuse), goes on to the router
/// unchanged, where the same routes answer it.
///
/// ```swift
/// HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [
///     PipelineAnswerHandler(answer: { request, _ in request.path == "/boot.ipxe" ? bootstrap : nil },
///                           served: { answer, took in metrics.record(answer.route, took) }),
/// ]))
/// ```
///
/// The connection behaves as if the router had answered:
/// - pipelined requests keep their order: a request is answered here only when no earlier request
///   of the connection is still waiting for its response from the router;
/// - a client that does not read its responses is held back: while the channel is not writable,
///   requests go to the router, whose writes wait and stop the reading;
/// - a connection is not closed under responses still being written (Hummingbird closes it when
///   the client half-closes, having seen no request of its own);
/// - `Connection: close` ends the connection after the response, and nothing sent after a request
///   that asked for it is answered.
///
/// Hummingbird's idle timeout (not set by pxelab) would not see the requests answered here.
public final class PipelineAnswerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private let answer: @Sendable (HTTPRequest, SocketAddress?) -> PipelineAnswer?
    private let served: @Sendable (PipelineAnswer, Duration) -> Void
    /// Requests passed on whose response has not ended yet.
    private var pending = 0
    /// What becomes of the parts of the request being read.
    private var current = Current.passedOn
    /// A request asked to end the connection: whatever comes after it is dropped.
    private var ended = false
    private var needsFlush = false
    /// The end of the last response written here: writes complete in order, so once it is sent,
    /// every response written here is.
    private var lastSent: EventLoopFuture<Void>?
    private var date = HTTPDate()

    private enum Current {
        case passedOn
        /// Passed on with `Connection: close`: the router ends the connection after it.
        case passedOnLast
        /// Answered here: its remaining parts are dropped.
        case answered
    }

    /// - Parameters:
    ///   - answer: the answer to a GET request from a client address, or nil to let the router answer it.
    ///   - served: called for every request answered here (metrics), with the time it took.
    public init(answer: @escaping @Sendable (HTTPRequest, SocketAddress?) -> PipelineAnswer?,
                served: @escaping @Sendable (PipelineAnswer, Duration) -> Void = { _, _ in }) {
        self.answer = answer
        self.served = served
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !ended else { return }
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            let start = ContinuousClock.now
            guard pending == 0, context.channel.isWritable, request.method == .get, let answer = answer(request, context.remoteAddress) else {
                pending += 1
                // Hummingbird's own test for ending the connection after a request.
                current = request.headerFields[.connection] == "close" ? .passedOnLast : .passedOn
                context.fireChannelRead(data)
                return
            }
            current = .answered
            respond(context: context, with: answer, closing: Self.asksToClose(request))
            served(answer, ContinuousClock.now - start)
        case .body:
            if current != .answered { context.fireChannelRead(data) }
        case .end:
            if current != .answered { context.fireChannelRead(data) }
            if current == .passedOnLast { ended = true }
            current = .passedOn
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), pending > 0 { pending -= 1 }
        context.write(data, promise: promise)
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard let lastSent, mode != .input else {
            context.close(mode: mode, promise: promise)
            return
        }
        context.flush()
        lastSent.assumeIsolated().whenComplete { _ in context.close(mode: mode, promise: promise) }
    }

    /// Whether the request's `Connection` header has the `close` option.
    private static func asksToClose(_ request: HTTPRequest) -> Bool {
        request.headerFields[values: .connection].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "close" }
        }
    }

    private func respond(context: ChannelHandlerContext, with answer: PipelineAnswer, closing: Bool) {
        var fields = answer.headerFields
        fields.reserveCapacity(fields.count + (closing ? 4 : 3))
        fields[.contentLength] = String(answer.body.readableBytes)
        fields[.date] = date.now()
        fields[.server] = "pxelab"
        if closing { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        let sent = context.eventLoop.makePromise(of: Void.self)
        lastSent = sent.futureResult
        context.write(wrapOutboundOut(.end(nil)), promise: sent)
        if closing {
            // As Hummingbird does: the output ends, and the client closes the connection.
            ended = true
            context.flush()
            sent.futureResult.assumeIsolated().whenComplete { _ in context.close(mode: .output, promise: nil) }
        } else {
            needsFlush = true
        }
    }
}

/// A response the pipeline sends itself (``PipelineAnswerHandler``): `Content-Length`, `Date`,
/// `Server` and `Connection` are added to its header fields as Hummingbird adds them.
public struct PipelineAnswer: Sendable {
    /// The route to count the request under in metrics.
    public let route: String
    public let status: HTTPResponse.Status
    public let headerFields: HTTPFields
    public let body: ByteBuffer

    public init(route: String, status: HTTPResponse.Status = .ok, headerFields: HTTPFields, body: ByteBuffer) {
        self.route = route
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }
}
