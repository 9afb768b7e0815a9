import NIOCore
import Testing
import TFTP

/// RFC 2347's negotiation of `blksize`, `tsize`, `timeout` and `windowsize`, block sizes at their
/// edges, windows, and netascii.
@Suite("option negotiation")
struct NegotiationTests {
    @Test func optionsAreAcknowledgedWithinTheServersLimitsAndUnknownOnesLeftOut() async throws {
        let file = pattern(5000)
        try await session(["f": file], configuration: withoutTimeouts()) { served, client in
            // The longest timeout RFC 2349 allows: a loaded test machine must not see the OACK again.
            try await client.send(Wire.rrq("f", options: [("BLKSIZE", "65464"), ("tsize", "0"), ("timeout", "255"),
                                                          ("windowsize", "1000"), ("x-unknown", "1")]), to: served.port)
            let (oack, server) = try await client.receive()
            #expect(oack == .oack(["blksize": "1468", "tsize": "5000", "timeout": "255", "windowsize": "64"]))
            #expect(served.requests.first?.options["x-unknown"] == "1", "the provider sees every option")
            try await client.send(Wire.ack(0), to: server)
            // A window of all four blocks (5000 bytes in blocks of 1468).
            var received: [UInt8] = []
            for block in 1...4 {
                let packet = try await client.receive().packet
                guard case .data(UInt16(block), let bytes) = packet else { throw UnexpectedPacket(packet) }
                received += bytes
            }
            #expect(received == file)
            try await client.send(Wire.ack(4), to: server)
            let summary = try await served.summary()
            #expect(summary.outcome == .completed)
            #expect(summary.blockSize == 1468)
            #expect(summary.windowSize == 64)
        }
    }

    @Test func optionsOutOfRangeAreLeftOutAndWithoutAnyThereIsNoOACK() async throws {
        let file = pattern(700)
        try await session(["f": file], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("f", options: [("blksize", "7"), ("timeout", "0"), ("windowsize", "0")]),
                                  to: served.port)
            let (first, server) = try await client.receive()
            #expect(first == .data(block: 1, bytes: Array(file[0..<512])))
            #expect(try await client.readToEnd(from: server, after: 1, Array(file[0..<512])) == file)
            #expect(try await served.summary().blockSize == 512)
        }
    }

    @Test(arguments: [(asked: 8, maximum: 1468, agreed: 8), (asked: 9000, maximum: 8192, agreed: 8192),
                      (asked: 65464, maximum: 65464, agreed: 65464), (asked: 70000, maximum: 65464, agreed: 65464)])
    func theBlockSizeIsTheSmallerOfTheAskedAndTheMaximum(asked: Int, maximum: Int, agreed: Int) async throws {
        var configuration = withoutTimeouts()
        configuration.maximumBlockSize = maximum
        // Two full blocks and a short one.
        let file = pattern(agreed * 2 + 3)
        try await session(["f": file], configuration: configuration) { served, client in
            try await client.send(Wire.rrq("f", options: [("blksize", String(asked))]), to: served.port)
            let (oack, server) = try await client.receive()
            #expect(oack == .oack(["blksize": String(agreed)]))
            try await client.send(Wire.ack(0), to: server)
            let (first, _) = try await client.receive()
            #expect(first == .data(block: 1, bytes: Array(file[0..<agreed])))
            #expect(try await client.readToEnd(from: server, after: 1, Array(file[0..<agreed]), blockSize: agreed) == file)
        }
    }

    @Test func aFileOfWholeBlocksEndsWithAnEmptyBlockAndAnEmptyFileIsOne() async throws {
        try await session(["whole": pattern(1024), "empty": []], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("whole"), to: served.port)
            var (packet, server) = try await client.receive()
            #expect(packet == .data(block: 1, bytes: Array(pattern(1024)[0..<512])))
            try await client.send(Wire.ack(1), to: server)
            #expect(try await client.receive().packet == .data(block: 2, bytes: Array(pattern(1024)[512...])))
            try await client.send(Wire.ack(2), to: server)
            #expect(try await client.receive().packet == .data(block: 3, bytes: []))
            try await client.send(Wire.ack(3), to: server)
            #expect(try await served.summary().outcome == .completed)

            try await client.send(Wire.rrq("empty", options: [("tsize", "0")]), to: served.port)
            (packet, server) = try await client.receive()
            #expect(packet == .oack(["tsize": "0"]))
            try await client.send(Wire.ack(0), to: server)
            #expect(try await client.receive().packet == .data(block: 1, bytes: []))
            try await client.send(Wire.ack(1), to: server)
            #expect(try await served.summary().outcome == .completed)
        }
    }

    /// RFC 7440: the client acknowledges a window's last block, or the last block it got in order.
    @Test func aWindowStartsAgainAfterTheLastBlockAcknowledged() async throws {
        let file = pattern(80)
        try await session(["f": file], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("f", options: [("blksize", "8"), ("windowsize", "4")]), to: served.port)
            let (oack, server) = try await client.receive()
            #expect(oack == .oack(["blksize": "8", "windowsize": "4"]))
            func blocks(_ numbers: ClosedRange<Int>) async throws {
                for number in numbers {
                    let start = min((number - 1) * 8, file.count)
                    #expect(try await client.receive().packet == .data(block: UInt16(number), bytes: Array(file[start..<min(start + 8, file.count)])))
                }
            }
            try await client.send(Wire.ack(0), to: server)
            try await blocks(1...4)
            // Block 3 "lost": 2 is the last in order.
            try await client.send(Wire.ack(2), to: server)
            try await blocks(3...6)
            try await client.send(Wire.ack(6), to: server)
            try await blocks(7...10)
            try await client.send(Wire.ack(10), to: server)
            // 80 bytes are ten whole blocks: an empty eleventh ends the file.
            try await blocks(11...11)
            try await client.send(Wire.ack(11), to: server)
            let summary = try await served.summary()
            #expect(summary.outcome == .completed)
            #expect(summary.retransmissions == 0)
        }
    }

    @Test func netasciiSendsLinesAsCRLFAndABareCRAsCRNUL() async throws {
        let text = Array("one\ntwo\rthree\r\n".utf8)
        let sent = Array("one\r\ntwo\r\0three\r\0\r\n".utf8)
        try await session(["t": text], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("t", mode: "NetASCII", options: [("tsize", "0")]), to: served.port)
            let (oack, server) = try await client.receive()
            #expect(oack == .oack(["tsize": String(sent.count)]))
            try await client.send(Wire.ack(0), to: server)
            #expect(try await client.receive().packet == .data(block: 1, bytes: sent))
            try await client.send(Wire.ack(1), to: server)
            #expect(try await served.summary().outcome == .completed)
            #expect(served.requests.first?.mode == .netascii)
        }
    }

    @Test func aClientThatRefusesTheOACKEndsTheTransfer() async throws {
        try await session(["f": pattern(10)], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("f", options: [("blksize", "1024")]), to: served.port)
            let (_, server) = try await client.receive()
            try await client.send(Wire.error(8, "no thanks"), to: server)
            #expect(try await served.summary().outcome == .clientError(code: 8, message: "no thanks"))
        }
    }
}
