import Foundation
import Hummingbird
import Prometheus
import HTTPConnections
import DeviceProtocol
import LabStore

/// The endpoint's Prometheus metrics, in a registry of its own (no process-wide state).
final class EndpointMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let eventsTotal: Counter
    /// The endpoint's HTTP connections: open now, refused, closed.
    let endpointConnections: ConnectionMetrics
    /// The Redfish service's, which counts them here too (it has no /metrics of its own).
    let redfishConnections: ConnectionMetrics
    /// Boot scripts served, by mode (oobe, desktop, unknown).
    private let bootScriptsByMode: [String: Counter]
    /// Each request's counter and latency histogram, found once per route, method and status
    /// (the registry validates names and labels at every lookup: a tenth of a small request).
    private let lock = NSLock()
    private var instruments: [RequestKey: (count: Counter, latency: DurationHistogram)] = [:]

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    init() {
        endpointConnections = ConnectionMetrics(registry: registry, server: "endpoint")
        redfishConnections = ConnectionMetrics(registry: registry, server: "redfish")
        eventsTotal = registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "device_events", unitName: "total",
                                             helpText: "Device events stored."), labels: [])
        bootScriptsByMode = Dictionary(uniqueKeysWithValues: (BootMode.allCases.map(\.rawValue) + ["unknown"]).map { [registry] mode in
            (mode, registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "boot_scripts", unitName: "total",
                                                 helpText: "Per-device boot scripts served, by mode."),
                labels: [("mode", mode)]))
        })
    }

    func request(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let (count, latency) = lock.withLock { instruments[key] } ?? lock.withLock {
            let made = makeInstruments(key)
            instruments[key] = made
            return made
        }
        count.increment()
        latency.record(duration)
    }

    private func makeInstruments(_ key: RequestKey) -> (count: Counter, latency: DurationHistogram) {
        let (route, method, status) = (key.route, key.method, key.status)
        let count = registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "http_requests", unitName: "total",
                                             helpText: "HTTP requests by route, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))])
        let latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "http_request_duration", unitName: "seconds",
                                             helpText: "HTTP request latency by route."),
            labels: [("route", route)],
            buckets: [.microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
                      .milliseconds(500), .seconds(2)])
        return (count, latency)
    }

    /// A TFTP transfer that ended (Secure Boot's network path): its file's kind (`step`,
    /// `vmlinuz`, `initrd.img`, `other`), how it ended, how long it took and how many bytes it sent.
    func tftpTransfer(file: String, outcome: String, duration: Duration, bytes: Int) {
        let labels = [("file", file), ("outcome", outcome)]
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "tftp_transfers", unitName: "total",
                                                              helpText: "TFTP transfers by file and outcome."),
                             labels: labels).increment()
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "tftp_sent", unitName: "bytes",
                                                              helpText: "Bytes TFTP transfers sent, by file."),
                             labels: [("file", file)]).increment(by: Int64(bytes))
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "tftp_transfer_duration", unitName: "seconds",
                                             helpText: "TFTP transfer time by file."),
            labels: [("file", file)],
            buckets: [.milliseconds(10), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30)]
        ).record(duration)
    }

    func events(_ count: Int) {
        if count > 0 { eventsTotal.increment(by: Int64(count)) }
    }

    func bootScripts(mode: String) {
        bootScriptsByMode[mode]?.increment()
    }

    /// The exposition text, with a gauge of devices by lifecycle state taken now.
    func exposition(devicesByState: [DeviceLifecycle: Int]) -> String {
        for state in DeviceLifecycle.allCases {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "devices", unitName: "",
                                                 helpText: "Lab devices by lifecycle state."),
                labels: [("state", state.rawValue)]).set(Double(devicesByState[state] ?? 0))
        }
        return registry.emitToString()
    }
}

/// Counts every request by matched route (not raw path, so traffic does not create unbounded
/// label values), method and status, and records its latency.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: EndpointMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, status: status, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        metrics.request(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status,
                        duration: ContinuousClock.now - start)
    }
}

extension BootEndpoint {
    func addMetricsRoutes(to router: Router<EndpointRequestContext>) {
        router.get("/metrics") { _, _ in
            let store = self.lab.store
            let counts = Dictionary(grouping: try await Offload.run { try store.devices() }, by: \.lifecycle).mapValues(\.count)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition(devicesByState: counts))))
        }
    }
}

/// One HTTP server's connection decisions as metrics: `pxelab_<server>_connections` (open now),
/// `..._connections_refused_total` by limit, `..._connections_closed_total` by reason.
final class ConnectionMetrics: ConnectionObserver {
    private let registry: PrometheusCollectorRegistry
    private let server: String
    private let open: Gauge

    init(registry: PrometheusCollectorRegistry, server: String) {
        self.registry = registry
        self.server = server
        open = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "\(server)_connections", unitName: "",
                                                                   helpText: "HTTP connections open now."), labels: [])
    }

    func connectionOpened() { open.increment() }
    func connectionEnded() { open.decrement() }

    /// A connection refused at a limit (`connections`, `client-connections`).
    func connectionRefused(_ reason: RefusedConnection) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "\(server)_connections_refused", unitName: "total",
                                                              helpText: "HTTP connections refused at a limit, by limit."),
                             labels: [("reason", reason.rawValue)]).increment()
    }

    /// A connection the server closed: a late head, body or next request, or a head too large.
    func connectionClosed(_ reason: ClosedConnection) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "pxelab", metricName: "\(server)_connections_closed", unitName: "total",
                                                              helpText: "HTTP connections the server closed, by reason."),
                             labels: [("reason", reason.rawValue)]).increment()
    }
}
