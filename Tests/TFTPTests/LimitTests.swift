import NIOCore
import NIOPosix
import Testing
import TFTP

/// How many transfers run at once, and what shutting down leaves behind.
@Suite("limits and shutdown")
struct LimitTests {
    @Test func requestsBeyondTheLimitAreAnsweredBusyAndServedOncePlacesFree() async throws {
        var configuration = withoutTimeouts()
        configuration.maximumTransfers = 2
        let file = pattern(100)
        try await session(["f": file], configuration: configuration, gated: true) { served, first in
            try await withRawClient { second in
                try await withRawClient { third in
                    try await first.send(Wire.rrq("f"), to: served.port)
                    try await second.send(Wire.rrq("f"), to: served.port)
                    try await served.asked(2)
                    #expect(served.server.activeTransfers == 2)
                    try await third.send(Wire.rrq("f"), to: served.port)
                    #expect(try await third.receive().packet == .error(code: 0, message: "server busy: 2 transfers in progress, try again"))
                    served.openGate()
                    for client in [first, second] { try await client.readOnlyBlock(file, of: served) }
                    #expect(served.server.activeTransfers == 0)
                    try await third.send(Wire.rrq("f"), to: served.port)
                    try await third.readOnlyBlock(file, of: served)
                }
            }
        }
    }

    @Test func shutdownClosesTheServersPortAndEveryTransfersSocket() async throws {
        try await session(["f": pattern(5000)], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("f"), to: served.port)
            let (packet, server) = try await client.receive()
            guard case .data(block: 1, _) = packet else { throw UnexpectedPacket(packet) }
            // Both ports are taken while the server runs (no SO_REUSEADDR: a second server on
            // the same port would share its requests).
            await #expect(throws: (any Error).self) { try await TFTPServer.start(port: served.port) { _ in .notFound("") } }
            await #expect(throws: (any Error).self) { try await Self.bind(port: server.port!).close() }

            await served.shutdown()
            #expect(try await served.summary().outcome == .shutDown)
            #expect(served.server.activeTransfers == 0)
            let again = try await TFTPServer.start(port: served.port) { _ in .notFound("") }
            #expect(again.port == served.port)
            await again.shutdown()
            try await Self.bind(port: server.port!).close()
        }
    }

    private static func bind(port: Int) async throws -> any Channel {
        try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: port).get()
    }
}
