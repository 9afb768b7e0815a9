import NIOCore
import Synchronization
import TFTP

/// A server over files in memory that records what its provider was asked and how each transfer
/// ended. With a gate, the provider answers only once the gate is opened.
final class Served: Sendable {
    let server: TFTPServer
    private let record: Record
    private let gate: Gate?

    var port: Int { server.port }
    /// The requests the provider was asked, in order.
    var requests: [TFTPRequest] { record.requests.withLock { $0 } }

    private init(server: TFTPServer, record: Record, gate: Gate?) {
        self.server = server
        self.record = record
        self.gate = gate
    }

    static func start(_ files: [String: [UInt8]], configuration: TFTPServer.Configuration = withoutTimeouts(), port: Int = 0,
                      gated: Bool = false) async throws -> Served {
        let record = Record()
        let gate = gated ? Gate() : nil
        let kept = files.mapValues { ByteBuffer(bytes: $0) }
        let server = try await TFTPServer.start(port: port, configuration: configuration, ended: { record.ended.yield($0) }) { request in
            record.requests.withLock { $0.append(request) }
            record.asked.yield()
            await gate?.passed()
            return kept[request.path].map(TFTPAnswer.file) ?? .notFound("\(request.path): no such file here")
        }
        return Served(server: server, record: record, gate: gate)
    }

    /// Waits until the provider was asked `count` times in all.
    func asked(_ count: Int) async throws {
        let asked = record.asked.stream
        try await within(10, "the provider asked \(count) times") { [record] in
            // Signals already given are still in the stream: none is missed between the two.
            if record.requests.withLock({ $0.count }) >= count { return }
            for await _ in asked where record.requests.withLock({ $0.count }) >= count { return }
        }
    }

    func openGate() { gate?.open() }

    /// How the next transfer ended (transfers end one at a time in these tests).
    func summary() async throws -> TFTPTransferSummary {
        let ended = record.ended.stream
        return try await within(60, "a transfer's end") {
            for await summary in ended { return summary }
            throw DeadlineExceeded(what: "the server's summaries ended")
        }
    }

    func shutdown() async {
        await server.shutdown()
    }
}

private final class Record: Sendable {
    let requests = Mutex<[TFTPRequest]>([])
    let asked = Signals<Void>()
    let ended = Signals<TFTPTransferSummary>()
}

/// Values as an `AsyncStream` several waits read one after another.
final class Signals<Value: Sendable>: Sendable {
    let stream: AsyncStream<Value>
    private let continuation: AsyncStream<Value>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Value.self)
    }

    func yield(_ value: Value) { continuation.yield(value) }
}

extension Signals where Value == Void {
    func yield() { continuation.yield(()) }
}

/// Holds the provider's answers until opened.
private final class Gate: Sendable {
    private let (stream, continuation) = AsyncStream.makeStream(of: Void.self)

    func passed() async {
        for await _ in stream {}
    }

    func open() { continuation.finish() }
}
