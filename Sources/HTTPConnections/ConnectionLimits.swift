/// What an HTTP server of the lab (the endpoint, the Redfish service) allows each connection, so
/// that one other machines reach (a multi-host lab's) is not held by slow or many clients: a
/// request's head must arrive soon after the connection opens, its body soon after its head, an
/// idle connection closes, and open connections are limited in all and per client address.
/// Loopback or not, the limits are the same.
///
/// ```swift
/// let limits = ConnectionLimits(headerTimeout: .seconds(5))
/// let http1 = HTTPServerBuilder.http1(configuration: .init(
///     additionalChannelHandlers: [ConnectionGuard(limits: limits, count: count, observer: metrics)],
///     httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes)))
/// ```
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
