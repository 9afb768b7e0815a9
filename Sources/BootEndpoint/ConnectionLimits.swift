import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

/// What the endpoint allows each connection, so that an endpoint other machines reach (a
/// multi-host lab's) is not held by slow or many clients: a request's head must arrive soon after
/// the connection opens, its body soon after its head, an idle connection closes, and open
/// connections are limited in all and per client address. Loopback or not, the limits are the same.
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections open at once; one more is answered 503 and closed.
    public var maxConnections: Int
    /// Connections open at once from one client address (VMs on one libvirt host share its address).
    public var maxConnectionsPerClient: Int
    /// How long after a connection opens its first request's head may take to arrive (slowloris).
    public var headerTimeout: Duration
    /// How long after a request's head its body may take to arrive.
    public var bodyTimeout: Duration
    /// How long a kept-alive connection may wait for its next request.
    public var idleTimeout: Duration
    /// The largest request head, in bytes of its fields (larger: 431, the connection closed).
    public var maxHeaderBytes: Int

    public init(maxConnections: Int = 8192, maxConnectionsPerClient: Int = 2048, headerTimeout: Duration = .seconds(10),
                bodyTimeout: Duration = .seconds(60), idleTimeout: Duration = .seconds(75), maxHeaderBytes: Int = 64 * 1024) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerClient = maxConnectionsPerClient
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxHeaderBytes = maxHeaderBytes
    }
}

/// The connections open now, in all and by client address, shared by every connection's guard.
final class ConnectionCount: Sendable {
    private struct Open {
        var all = 0
        var byClient: [String: Int] = [:]
    }
    private let open = Mutex(Open())

    /// Counts a connection in, unless a limit is reached: then it says which.
    func admit(_ client: String, limits: ConnectionLimits) -> RefusedConnection? {
        open.withLock { open in
            if open.all >= limits.maxConnections { return .tooManyConnections }
            if open.byClient[client, default: 0] >= limits.maxConnectionsPerClient { return .tooManyFromClient }
            open.all += 1
            open.byClient[client, default: 0] += 1
            return nil
        }
    }

    func release(_ client: String) {
        open.withLock { open in
            open.all -= 1
            if let count = open.byClient[client], count > 1 { open.byClient[client] = count - 1 } else { open.byClient[client] = nil }
        }
    }

    /// Connections open now.
    var all: Int { open.withLock { $0.all } }
}

/// Why a connection was not let in.
enum RefusedConnection: String {
    case tooManyConnections = "connections"
    case tooManyFromClient = "client-connections"
}

/// Why the endpoint closed a connection it had let in.
enum ClosedConnection: String {
    case headerTimeout = "header-timeout"
    case bodyTimeout = "body-timeout"
    case idleTimeout = "idle-timeout"
    case headerTooLarge = "header-too-large"
}

/// One connection's guard, after the HTTP decoder: counts it in (or answers 503 and closes it),
/// and closes it when a request's head or body, or the next request, is late (408 where a request
/// had begun). Its decisions go to the endpoint's metrics.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let count: ConnectionCount
    private let metrics: EndpointMetrics
    /// The client's address once the connection is counted in; nil before, and for one refused.
    private var client: String?
    private var admitted = false
    private var deadline: Scheduled<Void>?

    init(limits: ConnectionLimits, count: ConnectionCount, metrics: EndpointMetrics) {
        self.limits = limits
        self.count = count
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context: context)
        context.fireChannelActive()
    }

    /// Counts the connection in and waits for its first request's head, or refuses it.
    private func admit(context: ChannelHandlerContext) {
        guard !admitted else { return }
        admitted = true
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        if let refused = count.admit(client, limits: limits) {
            metrics.connectionRefused(refused.rawValue)
            answer(.serviceUnavailable, closing: context)
            return
        }
        self.client = client
        metrics.connectionOpened()
        arm(limits.headerTimeout, .headerTimeout, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        if let client {
            count.release(client)
            metrics.connectionEnded()
            self.client = nil
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard client != nil else { return }  // refused: nothing of it reaches the routes
        switch unwrapInboundIn(data) {
        case .head:
            arm(limits.bodyTimeout, .bodyTimeout, context: context)
        case .body:
            break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if client != nil, case .end = unwrapOutboundIn(data) {
            arm(limits.idleTimeout, .idleTimeout, context: context)
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A head larger than the decoder allows: 431, as the client can act on it.
        if client != nil, let parse = error as? HTTPParserError, parse == .headerOverflow {
            metrics.connectionClosed(ClosedConnection.headerTooLarge.rawValue)
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
            handler.metrics.connectionClosed(reason.rawValue)
            if reason == .idleTimeout {
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
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
