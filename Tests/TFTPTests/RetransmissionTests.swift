import NIOCore
import Testing
import TFTP

/// What a transfer sends again, and when: only after a timeout, never for a duplicate ACK.
@Suite("retransmission")
struct RetransmissionTests {
    @Test func aDroppedACKIsAnsweredByTheSameDATAAfterTheTimeout() async throws {
        var configuration = TFTPServer.Configuration()
        configuration.timeout = .milliseconds(200)
        // Resent for as long as a loaded test machine may take to answer (the client skips repeats).
        configuration.retransmissions = 600
        let file = pattern(1200)
        try await session(["f": file], configuration: configuration) { served, client in
            try await client.send(Wire.rrq("f"), to: served.port)
            let (first, server) = try await client.receive()
            #expect(first == .data(block: 1, bytes: Array(file[0..<512])))
            #expect(server.port != served.port, "a transfer answers from a TID of its own")
            // The client's ACK 1 is lost: the server sends DATA 1 again, from the same TID.
            let (again, from) = try await client.receive()
            #expect(again == first)
            #expect(from == server)
            #expect(try await client.readToEnd(from: server, after: 1, Array(file[0..<512])) == file)
            let summary = try await served.summary()
            #expect(summary.outcome == .completed)
            #expect(summary.retransmissions >= 1)
        }
    }

    @Test func duplicateACKsDoNotDuplicateDATA() async throws {
        let file = pattern(1200)
        try await session(["f": file], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("f"), to: served.port)
            let (first, server) = try await client.receive()
            #expect(first == .data(block: 1, bytes: Array(file[0..<512])))
            for _ in 1...3 { try await client.send(Wire.ack(1), to: server) }
            #expect(try await client.receive().packet == .data(block: 2, bytes: Array(file[512..<1024])))
            // The server read the duplicates before this ACK: had they been answered, a second
            // DATA 2 would arrive before DATA 3.
            try await client.send(Wire.ack(2), to: server)
            #expect(try await client.receive().packet == .data(block: 3, bytes: Array(file[1024...])))
            // An ACK of a block long acknowledged changes nothing either.
            try await client.send(Wire.ack(1), to: server)
            try await client.send(Wire.ack(3), to: server)
            let summary = try await served.summary()
            #expect(summary.outcome == .completed)
            #expect(summary.retransmissions == 0)
        }
    }

    @Test func aTransferGivesUpAfterItsRetransmissionsAndFreesItsPlace() async throws {
        var configuration = TFTPServer.Configuration()
        configuration.timeout = .milliseconds(50)
        configuration.retransmissions = 2
        try await session(["f": pattern(600)], configuration: configuration) { served, client in
            try await client.send(Wire.rrq("f"), to: served.port)
            for _ in 0..<3 {
                let packet = try await client.receive().packet
                guard case .data(block: 1, _) = packet else { throw UnexpectedPacket(packet) }
            }
            #expect(try await client.receive().packet == .error(code: 0, message: "transfer timed out"))
            let summary = try await served.summary()
            #expect(summary.outcome == .timedOut)
            #expect(summary.retransmissions == 2)
            #expect(served.server.activeTransfers == 0)
        }
    }

    @Test func anUnansweredOACKIsSentAgain() async throws {
        var configuration = TFTPServer.Configuration()
        configuration.timeout = .milliseconds(100)
        configuration.retransmissions = 1200
        try await session(["f": pattern(100)], configuration: configuration) { served, client in
            try await client.send(Wire.rrq("f", options: [("tsize", "0")]), to: served.port)
            let (oack, server) = try await client.receive()
            #expect(oack == .oack(["tsize": "100"]))
            #expect(try await client.receive().packet == oack)
            try await client.send(Wire.ack(0), to: server)
            var next = try await client.receive().packet
            while next == oack { next = try await client.receive().packet }
            #expect(next == .data(block: 1, bytes: pattern(100)))
            try await client.send(Wire.ack(1), to: server)
            #expect(try await served.summary().outcome == .completed)
        }
    }
}
