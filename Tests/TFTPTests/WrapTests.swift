import NIOCore
import Testing
import TFTP

/// Block numbers are 16 bits: a file of more than 65,535 blocks numbers them on from 0 again.
@Suite("block number wrap")
struct WrapTests {
    /// 65,537 blocks of 8 bytes and a short one, in windows of 64 (so that the test reads them
    /// in seconds): blocks 65,536 to 65,538 go as 0, 1 and 2, and ACKs across the wrap move the
    /// transfer on.
    @Test func blockNumbersWrapFrom65535To0InWindows() async throws {
        let file = pattern(65537 * 8 + 3)
        var configuration = TFTPServer.Configuration()
        configuration.timeout = .seconds(5)
        // Resent for as long as a loaded test machine may take to answer (repeats are skipped below).
        configuration.retransmissions = 100
        try await session(["f": file], configuration: configuration) { served, client in
            try await client.send(Wire.rrq("f", options: [("blksize", "8"), ("windowsize", "64")]), to: served.port)
            let (oack, server) = try await client.receive()
            #expect(oack == .oack(["blksize": "8", "windowsize": "64"]))
            try await client.send(Wire.ack(0), to: server)
            var received: [UInt8] = []
            received.reserveCapacity(file.count)
            var aroundTheWrap: [UInt16] = []
            var next = 1
            while true {
                let packet = try await client.receive().packet
                // The OACK or a window sent again after a timeout (a slow test) is skipped.
                if packet == oack { continue }
                guard case .data(let number, let bytes) = packet else { throw UnexpectedPacket(packet) }
                guard number == UInt16(truncatingIfNeeded: next) else { continue }
                received += bytes
                if next >= 65534 { aroundTheWrap.append(number) }
                if bytes.count < 8 || next % 64 == 0 { try await client.send(Wire.ack(number), to: server) }
                if bytes.count < 8 { break }
                next += 1
            }
            #expect(aroundTheWrap == [65534, 65535, 0, 1, 2])
            #expect(received == file)
            let summary = try await served.summary()
            #expect(summary.outcome == .completed)
        }
    }
}
