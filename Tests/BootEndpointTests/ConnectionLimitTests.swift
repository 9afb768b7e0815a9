import Foundation
import Testing
import BootEndpoint
import HTTPConnections
import TestSupport

/// The endpoint as other machines reach it: slow clients (slowloris), many clients, large heads.
@Suite("the endpoint's connection limits: slow and many clients")
struct ConnectionLimitTests {
    /// How long a request to an endpoint holding thousands of connections may take, with the whole
    /// suite running beside it on two cores (CI saw more than 30 s).
    static let patience = Duration.seconds(120)

    /// A request's head, cut before its blank line.
    static let halfSent = "GET /boot.ipxe HTTP/1.1\r\nHost: lab\r\nX-Slow: "

    /// A metric's value from the endpoint's /metrics (0 when it has no sample yet).
    static func metric(_ line: String, on running: RunningEndpoint) async throws -> Double {
        let text = try await running.client.get("/metrics", timeout: Self.patience).text
        let sample = text.split(separator: "\n").first { $0.hasPrefix(line + " ") }
        return sample.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// The open-connection gauge once it meets `condition` (it follows the server's accepts and
    /// closes, which come after the client's connects and reads), or as it is after ``patience``.
    static func connections(on running: RunningEndpoint, until condition: (Double) -> Bool) async throws -> Double {
        let deadline = ContinuousClock.now + patience
        var seen = try await metric("pxelab_endpoint_connections", on: running)
        while !condition(seen), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            seen = try await metric("pxelab_endpoint_connections", on: running)
        }
        return seen
    }

    @Test func thousandsOfHalfSentRequestsAreClosedAndDevicesStillBoot() async throws {
        let (sources, perSource) = (20, 100)
        let held = sources * perSource
        let available = HeldConnection.raiseOpenFileLimit()
        try #require(available > 2 * held + 1000, "the open-file limit (\(available)) is too low for the test")
        // The heads' limit outlasts opening and counting them all, even on a loaded machine
        // (counting is a /metrics request, which took more than 30 s there).
        let limits = ConnectionLimits(maxConnectionsPerClient: perSource, headerTimeout: .seconds(100))
        try await withEndpoint(limits: limits) { running in
            let port = running.port
            // 2,000 connections from 20 addresses, each holding half a request's head.
            let slow = try await onThreadOfItsOwn {
                try (1...sources).flatMap { source in
                    try (0..<perSource).map { _ in
                        let connection = try HeldConnection(from: "127.0.1.\(source)", to: port)
                        try connection.send(Self.halfSent)
                        return connection
                    }
                }
            }
            #expect(try await Self.connections(on: running) { $0 >= Double(held) } >= Double(held))
            // One more from an address at its limit (the last filled, furthest from its timeout) is refused at once.
            let refused = try await onThreadOfItsOwn { () throws -> String? in
                try HeldConnection(from: "127.0.1.\(sources)", to: port).readUntilClosed()
            }
            #expect(refused?.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n") == true, "\(refused ?? "open")")

            // Meanwhile a device boots: iPXE's first script, then its own by serial.
            let first = try await running.client.get("/boot.ipxe", timeout: Self.patience)
            #expect(first.status == 200 && first.text.hasPrefix("#!ipxe"))
            let script = try await running.client.get("/ipxe?serial=LOOSE-1&manufacturer=Contoso&product=Lab%20Laptop", timeout: Self.patience)
            #expect(script.status == 200 && script.text.contains("pxelab.device=loose"), "\(script.text)")

            // Each held connection is answered 408 and closed once its head is late.
            let answers = try await onThreadOfItsOwn { try slow.map { try $0.readUntilClosed(patience: 160) } }
            let late = answers.filter { $0?.hasPrefix("HTTP/1.1 408 Request Timeout\r\n") != true }
            #expect(late.isEmpty, "\(late.count) not answered 408, such as \(late.prefix(3))")
            #expect(try await Self.metric(#"pxelab_endpoint_connections_closed_total{reason="header-timeout"}"#, on: running) == Double(held))
            #expect(try await Self.metric(#"pxelab_endpoint_connections_refused_total{reason="client-connections"}"#, on: running) == 1)
            // Released: what stays open is this test's own HTTP client's (kept alive).
            #expect(try await Self.connections(on: running) { $0 <= 2 } <= 2)
        }
    }

    @Test func theAdminAndGraphDoorsNeedTheirTokensFromAnyAddress() async throws {
        try await withEndpoint { running in
            let port = running.port
            let answers = try await onThreadOfItsOwn {
                try ["/api/v1/devices", "/v1.0/deviceManagement/managedDevices"].map { path in
                    let client = try HeldConnection(from: "127.0.2.9", to: port)
                    try client.send("GET \(path) HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n")
                    return try client.readUntilClosed()
                }
            }
            #expect(answers.allSatisfy { $0?.hasPrefix("HTTP/1.1 401 Unauthorized\r\n") == true }, "\(answers)")
        }
    }

    @Test func oneConnectionMoreThanTheEndpointTakesIsAnswered503() async throws {
        try await withEndpoint(limits: ConnectionLimits(maxConnections: 2)) { running in
            let port = running.port
            let (answered, refused) = try await onThreadOfItsOwn { () throws -> ([String?], String?) in
                // Two clients, each answered (so surely counted) and kept alive.
                let open = try ["127.0.2.1", "127.0.2.2"].map { try HeldConnection(from: $0, to: port) }
                let answered = try open.map { connection in
                    try connection.send("GET /boot.ipxe HTTP/1.1\r\nHost: lab\r\n\r\n")
                    return try connection.readSome()
                }
                let refused = try HeldConnection(from: "127.0.2.3", to: port).readUntilClosed()
                return (answered, refused)
            }
            #expect(answered.allSatisfy { $0?.hasPrefix("HTTP/1.1 200 OK\r\n") == true }, "\(answered)")
            #expect(refused?.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n") == true, "\(refused ?? "open")")
        }
    }

    @Test func aConnectionAnsweredBeforeItsBodyArrivedStillClosesWhenIdle() async throws {
        try await withEndpoint(limits: ConnectionLimits(idleTimeout: .seconds(2))) { running in
            let port = running.port
            let (answer, rest) = try await onThreadOfItsOwn { () throws -> (String?, String?) in
                // The router answers 404 before reading the body; the body follows, then nothing.
                let client = try HeldConnection(from: "127.0.2.7", to: port)
                try client.send("POST /nope HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\n\r\n")
                let answer = try client.readSome()
                try client.send("12345")
                return (answer, try client.readUntilClosed())
            }
            #expect(answer?.hasPrefix("HTTP/1.1 404") == true, "\(answer ?? "none")")
            #expect(rest != nil, "the idle connection was closed")
        }
    }

    @Test func aLateBodyIsAnswered408AndAHeadTooLarge431() async throws {
        try await withEndpoint(limits: ConnectionLimits(bodyTimeout: .seconds(2), maxHeaderBytes: 8 * 1024)) { running in
            let port = running.port
            let (lateBody, largeHead) = try await onThreadOfItsOwn { () throws -> (String?, String?) in
                let body = try HeldConnection(from: "127.0.2.1", to: port)
                try body.send("POST /mdm/v1/enroll HTTP/1.1\r\nHost: lab\r\nContent-Length: 100\r\n\r\n{\"device\"")
                let large = try HeldConnection(from: "127.0.2.2", to: port)
                try large.send("GET /boot.ipxe HTTP/1.1\r\nHost: lab\r\nX-Large: \(String(repeating: "a", count: 10 * 1024))\r\n\r\n")
                return (try body.readUntilClosed(), try large.readUntilClosed())
            }
            #expect(lateBody?.hasPrefix("HTTP/1.1 408 Request Timeout\r\n") == true, "\(lateBody ?? "open")")
            #expect(largeHead?.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n") == true, "\(largeHead ?? "open")")
        }
    }
}
