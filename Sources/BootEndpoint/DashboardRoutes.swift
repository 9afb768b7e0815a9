import Foundation
import Hummingbird
import DeviceProtocol
import LabService

extension BootEndpoint {
    /// The live dashboard: `/` and its assets (served from the module's resources, no network
    /// fetches), the lab's vocabulary as JSON and CSS (phase and outcome names and colours, the
    /// same the HTML report uses), and `GET /api/v1/stream`, the server-sent events it follows.
    func addDashboardRoutes(to router: Router<EndpointRequestContext>) {
        router.get("/") { _, _ in try self.dashboardFile("index.html") }
        router.get("/dashboard/vocabulary.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                     body: .init(byteBuffer: ByteBuffer(bytes: try Vocabulary.json())))
        }
        router.get("/dashboard/vocabulary.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "no-cache"],
                     body: .init(byteBuffer: ByteBuffer(string: Vocabulary.css)))
        }
        router.get("/dashboard/:file") { _, context in try self.dashboardFile(try context.parameters.require("file")) }
        router.group("/api/v1").add(middleware: AdminAuthMiddleware(token: adminToken))
            .get("/stream") { _, _ in try await self.eventStream() }
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
    /// stored after it (nothing falls between), and a comment every 15 seconds so that a closed
    /// connection is noticed.
    private func eventStream() async throws -> Response {
        let (snapshot, updates) = try await live.follow()
        let (frames, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(10_000))
        continuation.yield(try ServerSentEvent.frame("snapshot", DashboardSnapshot(lab: lab.labFile.lab,
                                                                                  description: lab.labFile.description,
                                                                                  devices: snapshot)))
        let forward = Task {
            for await update in updates {
                // A frame that cannot be encoded is left out (it never happens: the types encode).
                if let frame = try? ServerSentEvent.frame("device", update) { continuation.yield(frame) }
            }
            continuation.finish()
        }
        let keepalive = Task {
            while (try? await Task.sleep(for: .seconds(15))) != nil { continuation.yield(ByteBuffer(string: ": keepalive\n\n")) }
        }
        continuation.onTermination = { _ in
            forward.cancel()
            keepalive.cancel()
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                        body: ResponseBody { writer in
                            for await frame in frames { try await writer.write(frame) }
                            try await writer.finish(nil)
                        })
    }
}

/// The first message of a dashboard stream: the whole fleet.
struct DashboardSnapshot: Encodable {
    var lab: String
    var description: String?
    var devices: [LiveFleet.Device]
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
