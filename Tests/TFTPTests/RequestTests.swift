import NIOCore
import Testing
import TFTP

/// What the server's port answers: requests it refuses, malformed packets, filenames, and
/// packets from other TIDs than a transfer's client.
@Suite("requests")
struct RequestTests {
    @Test func writeRequestsAreRefusedAsAccessViolations() async throws {
        try await session([:]) { served, client in
            try await client.send(Wire.wrq("upload"), to: served.port)
            let (packet, from) = try await client.receive()
            #expect(packet == .error(code: 2, message: "access violation: this server only reads"))
            #expect(from.port == served.port)
        }
    }

    @Test func malformedPacketsAreIllegalOperationsAndErrorsAreNotAnswered() async throws {
        let illegal = ServerPacket.error(code: 4, message: "illegal TFTP operation")
        try await session([:]) { served, client in
            for packet: [UInt8] in [[0, 9, 1], [1], [0, 1] + Array("no-terminator".utf8), [0, 1, 0, 0], [0, 1, 65, 0],
                                    Wire.ack(1), [0, 3, 0, 1, 42]] {
                // An ERROR first: if it were answered, that answer would come before the next one.
                try await client.send(Wire.error(0, "stray"), to: served.port)
                try await client.send(packet, to: served.port)
                #expect(try await client.receive().packet == illegal, "\(packet)")
            }
            try await client.send(Wire.rrq("f", mode: "mail"), to: served.port)
            #expect(try await client.receive().packet == .error(code: 4, message: "illegal TFTP operation: mode 'mail' is not served"))
            #expect(served.requests.isEmpty)
        }
    }

    @Test(arguments: ["..", "../etc/passwd", "/../x", "grub/../../x", "grub\\..\\..\\x", "a/./../b", "/", "//./"])
    func filenamesThatClimbOrNameNothingAreRefusedBeforeTheProviderIsAsked(filename: String) async throws {
        try await session(["x": [1]]) { served, client in
            try await client.send(Wire.rrq(filename), to: served.port)
            let packet = try await client.receive().packet
            guard case .error(2, let message) = packet else { throw UnexpectedPacket(packet) }
            #expect(message.hasPrefix("access violation: "))
            #expect(served.requests.isEmpty)
        }
    }

    @Test func theProviderSeesTheFilenameAsSentAndANormalisedPath() async throws {
        try await session(["grub/serial/CTS-0001.cfg": Array("set timeout=0\n".utf8)], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("/grub//serial/./CTS-0001.cfg", mode: "OCTET"), to: served.port)
            try await client.readOnlyBlock(Array("set timeout=0\n".utf8), of: served)
            let request = try #require(served.requests.first)
            #expect(request.filename == "/grub//serial/./CTS-0001.cfg")
            #expect(request.path == "grub/serial/CTS-0001.cfg")
            #expect(request.mode == .octet)
            #expect(request.client == client.address)
        }
    }

    @Test func aWindowsStylePathIsTheSameFile() async throws {
        try await session(["boot/shimx64.efi": [7, 7]], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("\\boot\\shimx64.efi"), to: served.port)
            try await client.readOnlyBlock([7, 7], of: served)
        }
    }

    @Test func anUnknownFileIsAnsweredWithTheProvidersMessage() async throws {
        try await session([:]) { served, client in
            try await client.send(Wire.rrq("grub/serial/NOPE.cfg"), to: served.port)
            #expect(try await client.receive().packet == .error(code: 1, message: "grub/serial/NOPE.cfg: no such file here"))
            #expect(served.server.activeTransfers == 0)
        }
    }

    @Test func aClientMayAskForItsNextFileFromTheSamePortBeforeItsLastACKIsRead() async throws {
        try await session(["a": [1], "b": [2]], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("a"), to: served.port)
            let (packet, first) = try await client.receive()
            #expect(packet == .data(block: 1, bytes: [1]))
            // The next RRQ before the last ACK: the transfer of "a" is still running when it is read.
            try await client.send(Wire.rrq("b"), to: served.port)
            try await client.send(Wire.ack(1), to: first)
            let (next, second) = try await client.receive()
            #expect(next == .data(block: 1, bytes: [2]))
            #expect(second != first)
            try await client.send(Wire.ack(1), to: second)
            #expect(try await served.summary().outcome == .completed)
            #expect(try await served.summary().outcome == .completed)
            #expect(served.requests.map(\.path) == ["a", "b"])
        }
    }

    @Test func packetsFromAnotherTIDAreToldSoAndDoNotDisturbTheTransfer() async throws {
        let file = pattern(600)
        try await session(["f": file], configuration: withoutTimeouts()) { served, client in
            try await withRawClient { stranger in
                try await client.send(Wire.rrq("f"), to: served.port)
                let (_, server) = try await client.receive()
                // Acknowledging everything, or ending it, from elsewhere.
                for packet in [Wire.ack(1), Wire.ack(2), [0, 1] + Array("f\0octet\0".utf8)] {
                    try await stranger.send(packet, to: server)
                    let (answer, from) = try await stranger.receive()
                    #expect(answer == .error(code: 5, message: "unknown transfer ID"))
                    #expect(from == server)
                }
                try await stranger.send(Wire.error(0, "go away"), to: server)
                #expect(try await client.readToEnd(from: server, after: 1, Array(file[0..<512])) == file)
                let summary = try await served.summary()
                #expect(summary.outcome == .completed)
                #expect(summary.retransmissions == 0)
            }
        }
    }

    @Test func whatHasNoPlaceInATransferEndsIt() async throws {
        try await session(["f": pattern(600)], configuration: withoutTimeouts()) { served, client in
            try await client.send(Wire.rrq("f"), to: served.port)
            let (_, server) = try await client.receive()
            try await client.send([0, 3, 0, 1, 9], to: server)
            #expect(try await client.receive().packet == .error(code: 4, message: "illegal TFTP operation"))
            #expect(try await served.summary().outcome == .illegalPacket)
        }
    }

    @Test func aRepeatedRequestWhileTheProviderAnswersStartsNoSecondTransfer() async throws {
        let file = pattern(100)
        try await session(["f": file], configuration: withoutTimeouts(), gated: true) { served, client in
            try await client.send(Wire.rrq("f"), to: served.port)
            try await served.asked(1)
            try await client.send(Wire.rrq("f"), to: served.port)
            // The port reads in order: once this is answered, the repeat was read.
            try await client.send([0, 9], to: served.port)
            #expect(try await client.receive().packet == .error(code: 4, message: "illegal TFTP operation"))
            served.openGate()
            try await client.readOnlyBlock(file, of: served)
            #expect(served.requests.count == 1)
        }
    }
}
