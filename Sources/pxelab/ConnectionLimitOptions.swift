import ArgumentParser
import BootEndpoint
import HTTPConnections

/// The endpoint's connection limits, for `pxelab serve --listen` on an address other machines reach.
struct ConnectionLimitOptions: ParsableArguments {
    private static let defaults = ConnectionLimits()

    @Option(help: "Connections open at once (the endpoint and Redfish each); one more is answered 503 and closed.")
    var maxConnections = defaults.maxConnections

    @Option(help: "Connections open at once from one client address (the VMs of one libvirt host share its address).")
    var maxConnectionsPerClient = defaults.maxConnectionsPerClient

    @Option(help: "Seconds a new connection's request head may take to arrive (slow clients are answered 408).")
    var headerTimeout = Int(defaults.headerTimeout.components.seconds)

    @Option(help: "Seconds a request's body may take to arrive after its head.")
    var bodyTimeout = Int(defaults.bodyTimeout.components.seconds)

    @Option(help: "Seconds a kept-alive connection may wait for its next request.")
    var idleTimeout = Int(defaults.idleTimeout.components.seconds)

    func validate() throws {
        for (name, value) in [("--max-connections", maxConnections), ("--max-connections-per-client", maxConnectionsPerClient),
                              ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout)]
        where value < 1 {
            throw ValidationError("\(name) must be at least 1, not \(value)")
        }
    }

    var limits: ConnectionLimits {
        ConnectionLimits(maxConnections: maxConnections, maxConnectionsPerClient: maxConnectionsPerClient,
                         headerTimeout: .seconds(headerTimeout), bodyTimeout: .seconds(bodyTimeout), idleTimeout: .seconds(idleTimeout))
    }
}
