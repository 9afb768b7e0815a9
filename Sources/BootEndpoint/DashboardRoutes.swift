import Foundation
import Hummingbird
import Synchronization
import Autopilot
import DeviceProtocol
import LabStore

/// A lab device as the live dashboard shows it: who it is, what it is deploying with, and what it
/// did last.
struct DashboardDevice: Codable {
    var name: String
    var serial: String
    var model: String
    /// `user-driven`, `self-deploying`, `hybrid` or `pre-provisioning`, from its profile.
    var mode: String?
    var profile: String?
    var groupTag: String?
    var lifecycle: DeviceLifecycle
    var errorCode: String?
    var phase: OOBEPhase?
    var step: String?
    var status: StepStatus?
    var message: String?
    var time: Date?
    var bootCount: Int
}

/// The first message of a dashboard stream: the whole fleet.
struct DashboardSnapshot: Codable {
    var lab: String
    var description: String?
    var devices: [DashboardDevice]
}

/// A dashboard stream message for each stored event: the device after it, and the event.
struct DashboardUpdate: Codable {
    var device: DashboardDevice
    var event: StoredEvent
}

extension BootEndpoint {
    /// The live dashboard: `/` and its assets (served from the module's resources, no network
    /// fetches), and `GET /api/v1/stream`, the server-sent events it follows.
    func addDashboardRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in try self.dashboardFile("index.html") }
        router.get("/dashboard/:file") { _, context in try self.dashboardFile(try context.parameters.require("file")) }
        router.group("/api/v1").add(middleware: AdminAuthMiddleware(token: adminToken))
            .get("/stream") { _, _ in try self.eventStream() }
    }

    private func dashboardFile(_ name: String) throws -> Response {
        let types = ["html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"]
        let parts = name.split(separator: ".")
        guard parts.count == 2, parts[0].allSatisfy({ $0.isLetter || $0 == "-" }), let type = types[String(parts[1])],
              let url = Bundle.module.url(forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: "Dashboard"),
              let data = try? Data(contentsOf: url) else {
            throw APIError.notFound("no dashboard file named '\(name)'")
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `text/event-stream`: a `snapshot` of the fleet, then a `device` message for every event
    /// stored after it (the feed is followed before the snapshot is taken, so nothing falls in
    /// between), and a comment every 15 seconds so that a closed connection is noticed.
    private func eventStream() throws -> Response {
        let (frames, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(10_000))
        let events = lab.store.feed.subscribe()
        continuation.yield(try ServerSentEvent.frame("snapshot", try dashboardSnapshot()))
        let pump = Task {
            for await event in events {
                guard let device = try? dashboardDevices(named: event.device, latest: [event.device: event]).first,
                      let frame = try? ServerSentEvent.frame("device", DashboardUpdate(device: device, event: event)) else { continue }
                continuation.yield(frame)
            }
        }
        let keepalive = Task {
            while (try? await Task.sleep(for: .seconds(15))) != nil { continuation.yield(ByteBuffer(string: ": keepalive\n\n")) }
        }
        let registration = streams.add(continuation)
        continuation.onTermination = { _ in
            pump.cancel()
            keepalive.cancel()
            self.streams.remove(registration)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                        body: ResponseBody { writer in
                            for await frame in frames { try await writer.write(frame) }
                            try await writer.finish(nil)
                        })
    }

    func dashboardSnapshot() throws -> DashboardSnapshot {
        DashboardSnapshot(lab: lab.topology.lab, description: lab.topology.description,
                          devices: try dashboardDevices(latest: try lab.store.latestEvents()))
    }

    /// The lab's devices (or one) as the dashboard shows them, with each one's latest event.
    func dashboardDevices(named name: String? = nil, latest: [String: StoredEvent]) throws -> [DashboardDevice] {
        try adminDevices(named: name).map { device in
            let event = latest[device.name]
            return DashboardDevice(name: device.name, serial: device.serial, model: device.model, mode: device.registration?.mode,
                                   profile: device.registration?.profile, groupTag: device.registration?.groupTag,
                                   lifecycle: device.lifecycle, errorCode: device.errorCode, phase: event?.phase, step: event?.step,
                                   status: event?.status, message: event?.message, time: event?.time, bootCount: device.bootCount)
        }
    }
}

/// One server-sent event: `event: NAME` and its JSON on a `data:` line.
enum ServerSentEvent {
    static func frame<Value: Encodable>(_ name: String, _ value: Value) throws -> ByteBuffer {
        // Compact JSON has no raw newlines (they are escaped in strings), so one data line holds it.
        var buffer = ByteBuffer(string: "event: \(name)\ndata: ")
        buffer.writeBytes(try ProtocolJSON.encoder().encode(value))
        buffer.writeString("\n\n")
        return buffer
    }
}

/// The dashboard streams that are open, so that stopping the endpoint can end them (a stream
/// never ends by itself, and a graceful shutdown waits for every response to finish).
final class EventStreams: Sendable {
    private let open = Mutex<(next: Int, streams: [Int: AsyncStream<ByteBuffer>.Continuation])>((0, [:]))

    func add(_ continuation: AsyncStream<ByteBuffer>.Continuation) -> Int {
        open.withLock { state in
            state.next += 1
            state.streams[state.next] = continuation
            return state.next
        }
    }

    func remove(_ registration: Int) {
        _ = open.withLock { $0.streams.removeValue(forKey: registration) }
    }

    /// Ends every open stream.
    func finishAll() {
        for continuation in open.withLock({ Array($0.streams.values) }) { continuation.finish() }
    }
}
