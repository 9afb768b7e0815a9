import HTTPTypes
public import NIOCore
import NIOHTTP1
public import NIOHTTPTypes

/// Why a connection was not let in.
public enum RefusedConnection: String {
    case tooManyConnections = "connections"
    case tooManyFromClient = "client-connections"
}

/// Why the endpoint closed a connection it had let in.
public enum ClosedConnection: String, Sendable {
    case headerTimeout = "header-timeout"
    case bodyTimeout = "body-timeout"
    case idleTimeout = "idle-timeout"
    case headerTooLarge = "header-too-large"
}

/// Told what a server's guards decide (the endpoint counts it in its metrics).
public protocol ConnectionObserver: Sendable {
    func connectionOpened()
    func connectionEnded()
    func connectionRefused(_ reason: RefusedConnection)
    func connectionClosed(_ reason: ClosedConnection)
}

/// One connection's guard, after the HTTP decoder: counts it in (or answers 503 and closes it),
/// and closes it when a request's head or body, or the next request, is late (408 where a request
/// had begun). Its decisions go to the observer.
public final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let count: ConnectionCount
    private let observer: (any ConnectionObserver)?
    /// The client's address once the connection is counted in; nil before, and for one refused.
    private var client: String?
    private var admitted = false
    private var deadline: Scheduled<Void>?
    /// The request's body has arrived whole (or none is in flight).
    private var requestEnded = true
    /// An answer to the request has begun, and whether it has ended: a route may answer before
    /// the body is read (404, 413), and the body then still has to arrive in time.
    private var responseStarted = false
    private var responseEnded = true

    /// A guard for one connection; `count` is shared by all of a server's connections.
    public init(limits: ConnectionLimits, count: ConnectionCount, observer: (any ConnectionObserver)? = nil) {
        self.limits = limits
        self.count = count
        self.observer = observer
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        admit(context: context)
        context.fireChannelActive()
    }

    /// Counts the connection in and waits for its first request's head, or refuses it.
    private func admit(context: ChannelHandlerContext) {
        guard !admitted else { return }
        admitted = true
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        if let refused = count.admit(client, limits: limits) {
            observer?.connectionRefused(refused)
            answer(.serviceUnavailable, closing: context)
            return
        }
        self.client = client
        observer?.connectionOpened()
        arm(limits.headerTimeout, .headerTimeout, context: context)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        if let client {
            count.release(client)
            observer?.connectionEnded()
            self.client = nil
        }
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard client != nil else { return }  // refused: nothing of it reaches the routes
        switch unwrapInboundIn(data) {
        case .head:
            (requestEnded, responseStarted, responseEnded) = (false, false, false)
            arm(limits.bodyTimeout, .bodyTimeout, context: context)
        case .body:
            break
        case .end:
            requestEnded = true
            if responseEnded {
                arm(limits.idleTimeout, .idleTimeout, context: context)  // answered already: wait for the next request
            } else {
                deadline?.cancel()  // the route is answering, taking what time it takes
                deadline = nil
            }
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if client != nil {
            switch unwrapOutboundIn(data) {
            case .head(let head) where head.status.kind != .informational:
                responseStarted = true
            case .end:
                responseEnded = true
                // With the body still arriving, its deadline stands; otherwise the next request's.
                if requestEnded { arm(limits.idleTimeout, .idleTimeout, context: context) }
            default:
                break
            }
        }
        context.write(data, promise: promise)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A head larger than the decoder allows: 431, as the client can act on it.
        if client != nil, !responseStarted || responseEnded, let parse = error as? HTTPParserError, parse == .headerOverflow {
            observer?.connectionClosed(.headerTooLarge)
            answer(.init(code: 431, reasonPhrase: "Request Header Fields Too Large"), closing: context)
            return
        }
        context.fireErrorCaught(error)
    }

    /// Closes the connection unless what it waits for arrives within `timeout`: 408 where a
    /// request was awaited or had begun, a plain close for an idle kept-alive connection.
    private func arm(_ timeout: Duration, _ reason: ClosedConnection, context: ChannelHandlerContext) {
        deadline?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let (handler, context) = loopBound.value
            handler.observer?.connectionClosed(reason)
            // A 408 only where no answer has begun: a second one would break the framing.
            if reason == .idleTimeout || handler.responseStarted {
                context.close(promise: nil)
            } else {
                handler.answer(.requestTimeout, closing: context)
            }
        }
    }

    /// Answers with a status and no body, and closes the connection.
    private func answer(_ status: HTTPResponse.Status, closing context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        var head = HTTPResponse(status: status)
        head.headerFields[.connection] = "close"
        head.headerFields[.contentLength] = "0"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let closing = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in closing.value.close(promise: nil) }
    }
}
