import Hummingbird
import NIOCore

/// The endpoint's request context: Hummingbird's basic one, and the address the request came
/// from, which a device's boot record keeps (a real VM on another libvirt host arrives from that
/// host's address).
struct EndpointRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's address (nil when the channel has none, as in a test's in-process client).
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text.
    var client: String? { remoteAddress?.ipAddress }
}
