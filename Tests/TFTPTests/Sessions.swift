import NIOCore
import Testing
import TFTP

/// A file's bytes: a pattern that repeats only every 251 bytes, so a block sent in the wrong
/// place shows.
func pattern(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8($0 % 251) }
}

/// Runs `body` with a server over `files`, shut down after, whatever `body` throws.
func serving(_ files: [String: [UInt8]], configuration: TFTPServer.Configuration = withoutTimeouts(), gated: Bool = false,
             _ body: (Served) async throws -> Void) async throws {
    let served = try await Served.start(files, configuration: configuration, gated: gated)
    try await ensuring({ await served.shutdown() }) { try await body(served) }
}

/// Runs `body` with a client of the tests' own, closed after, whatever `body` throws.
func withRawClient(_ body: (RawClient) async throws -> Void) async throws {
    let client = try await RawClient.open()
    try await ensuring({ await client.close() }) { try await body(client) }
}

/// Runs `body`, then `cleanup` whether `body` threw or not (a `defer` that can wait).
func ensuring(_ cleanup: () async -> Void, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
}

/// Runs `body` with a server over `files` and a client of the tests' own.
func session(_ files: [String: [UInt8]], configuration: TFTPServer.Configuration = withoutTimeouts(), gated: Bool = false,
             _ body: (Served, RawClient) async throws -> Void) async throws {
    try await serving(files, configuration: configuration, gated: gated) { served in
        try await withRawClient { client in try await body(served, client) }
    }
}

/// A configuration whose transfers send nothing again within a test: any repeated packet then
/// comes from what the test sent, not from a timer.
func withoutTimeouts() -> TFTPServer.Configuration {
    var configuration = TFTPServer.Configuration()
    configuration.timeout = .seconds(120)
    return configuration
}

extension RawClient {
    /// Receives DATA 1 of a file of one block, which must be `bytes`, acknowledges it, and
    /// checks that the transfer completed.
    func readOnlyBlock(_ bytes: [UInt8], of served: Served) async throws {
        let (packet, server) = try await receive()
        #expect(packet == .data(block: 1, bytes: bytes))
        try await send(Wire.ack(1), to: server)
        #expect(try await served.summary().outcome == .completed)
    }

    /// Reads the rest of a transfer in lock-step (after DATA `block` arrived and was kept in
    /// `bytes`), acknowledging each new block once; repeated blocks (a timer's) are skipped.
    /// Returns the file's bytes.
    func readToEnd(from server: SocketAddress, after block: Int, _ bytes: [UInt8], blockSize: Int = 512) async throws -> [UInt8] {
        var bytes = bytes
        var last = block
        var lastLength = blockSize
        while true {
            try await send(Wire.ack(UInt16(truncatingIfNeeded: last)), to: server)
            if lastLength < blockSize { return bytes }
            while true {
                let (packet, from) = try await receive()
                guard from == server, case .data(let number, let data) = packet else { throw UnexpectedPacket(packet) }
                guard number == UInt16(truncatingIfNeeded: last + 1) else { continue }
                bytes += data
                last += 1
                lastLength = data.count
                break
            }
        }
    }
}

struct UnexpectedPacket: Error, CustomStringConvertible {
    let packet: ServerPacket
    init(_ packet: ServerPacket) { self.packet = packet }
    var description: String { "unexpected \(packet)" }
}
