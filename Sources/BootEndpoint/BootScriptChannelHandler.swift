import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers the boot-script requests a network boot makes (`GET /boot.ipxe`, and `GET /ipxe` for
/// a lab device whose boot status is in memory) in the channel pipeline, on the event loop that
/// read them, before Hummingbird turns a request into an async task: a boot storm of a whole
/// fleet is the endpoint's hottest path, and the hand-off to the task costs more than the
/// answer. Everything else, and any boot request the answerer declines (an unknown machine, a
/// conflict, a malformed query, the statuses not loaded yet), goes on to the router unchanged,
/// where the same routes answer it.
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
final class BootScriptChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A script to send, and the route to count it under.
    struct Answer {
        let route: String
        let script: String
    }

    private let answer: @Sendable (HTTPRequest) -> Answer?
    private let served: @Sendable (Answer, Duration) -> Void
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
    ///   - answer: the script for a request, or nil to let the router answer it.
    ///   - served: called for every request answered here (metrics), with the time it took.
    init(answer: @escaping @Sendable (HTTPRequest) -> Answer?, served: @escaping @Sendable (Answer, Duration) -> Void) {
        self.answer = answer
        self.served = served
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !ended else { return }
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            let start = ContinuousClock.now
            guard pending == 0, context.channel.isWritable, request.method == .get, let answer = answer(request) else {
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

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), pending > 0 { pending -= 1 }
        context.write(data, promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
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

    private func respond(context: ChannelHandlerContext, with answer: Answer, closing: Bool) {
        var body = context.channel.allocator.buffer(capacity: answer.script.utf8.count)
        body.writeString(answer.script)
        var fields = HTTPFields()
        fields.reserveCapacity(closing ? 6 : 5)
        fields[.contentType] = "text/plain; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[.contentLength] = String(body.readableBytes)
        fields[.date] = date.now()
        fields[.server] = "pxelab"
        if closing { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
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

/// The `Date` header's value (RFC 9110's IMF-fixdate), made again only when the second changes.
struct HTTPDate {
    private var second = -1
    private var text = ""

    mutating func now() -> String {
        let seconds = time(nil)
        if seconds != second {
            second = seconds
            var parts = tm()
            var value = seconds
            gmtime_r(&value, &parts)
            let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            func two(_ number: Int32) -> String { number < 10 ? "0\(number)" : String(number) }
            text = "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
                + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        }
        return text
    }
}
