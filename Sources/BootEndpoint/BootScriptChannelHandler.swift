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
/// Pipelined requests keep their order: a request is answered here only when no earlier request
/// of the connection is still waiting for its response from the router.
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
    /// Discarding the rest (trailers, a stray body) of a request answered here.
    private var discarding = false
    private var needsFlush = false
    private var date = HTTPDate()

    /// - Parameters:
    ///   - answer: the script for a request, or nil to let the router answer it.
    ///   - served: called for every request answered here (metrics), with the time it took.
    init(answer: @escaping @Sendable (HTTPRequest) -> Answer?, served: @escaping @Sendable (Answer, Duration) -> Void) {
        self.answer = answer
        self.served = served
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            let start = ContinuousClock.now
            guard pending == 0, request.method == .get, let answer = answer(request) else {
                pending += 1
                context.fireChannelRead(data)
                return
            }
            respond(context: context, with: answer, closing: request.headerFields[.connection]?.lowercased() == "close")
            served(answer, ContinuousClock.now - start)
        case .body, .end:
            if discarding {
                if case .end = part { discarding = false }
            } else {
                context.fireChannelRead(data)
            }
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
        discarding = true
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        if closing {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
        } else {
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
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
