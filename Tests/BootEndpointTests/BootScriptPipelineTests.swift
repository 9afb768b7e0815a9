import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// Boot scripts are answered in the channel pipeline, ahead of the router: these check over real
/// connections that the endpoint still behaves as HTTP/1.1 says, whichever side answers
/// (`PipelineAnswerHandlerTests` checks which side does).
@Suite("boot scripts answered in the channel pipeline")
struct BootScriptPipelineTests {
    @Test func pipelinedRequestsAreAnsweredInTheOrderTheyWereSent() async throws {
        try await withEndpoint { running in
            let device = try #require(try running.endpoint.lab.store.device(named: "sales-1"))
            let ipxe = "/ipxe?mac=\(device.mac.replacingOccurrences(of: ":", with: "-"))&serial=SALES-1"
            // The pipeline answers the first script; the router answers /metrics and the admin
            // route, and the scripts sent behind them must not overtake their answers.
            let replies = try await RawHTTPConnection.exchange(port: running.port, requests: [
                "GET /boot.ipxe", "GET /metrics", "GET \(ipxe)", "GET /api/v1/devices", "GET /boot.ipxe",
            ].map { "\($0) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" }.joined(), responses: 5)
            try #require(replies.count == 5)
            #expect(replies[0].status == 200 && replies[0].body.contains("chain --autofree ipxe?"))
            #expect(replies[1].status == 200 && replies[1].body.contains("pxelab_devices{"))
            #expect(replies[2].status == 200 && replies[2].body.contains("pxelab.device=sales-1"))
            #expect(replies[3].status == 401)
            #expect(replies[4].status == 200 && replies[4].body.contains("chain --autofree ipxe?"))
        }
    }

    @Test func aScriptAnsweredInThePipelineIsAWholeCountedHTTPResponse() async throws {
        try await withEndpoint { running in
            let device = try #require(try running.endpoint.lab.store.device(named: "sales-1"))
            let ipxe = "/ipxe?mac=\(device.mac.replacingOccurrences(of: ":", with: "-"))&serial=SALES-1"
            // The first boot script loads the boot statuses (the router's); the second is the pipeline's.
            #expect(try await running.client.get(ipxe).status == 200)
            try running.endpoint.lab.store.settle()
            #expect(try running.endpoint.lab.store.device(named: "sales-1")?.bootClient == "127.0.0.1")  // where it came from
            let replies = try await RawHTTPConnection.exchange(
                port: running.port, requests: "GET \(ipxe) HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n", responses: 1)
            let reply = try #require(replies.first)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(reply.headers["cache-control"] == "no-store")
            #expect(reply.headers["server"] == "pxelab")
            #expect(reply.headers["content-length"] == String(reply.body.utf8.count))
            // The Host header the device used is where its script sends it next.
            #expect(reply.body.contains("pxelab.endpoint=http://127.0.0.1:9"))
            let date = try #require(reply.headers["date"])
            let format = DateFormatter()
            format.locale = Locale(identifier: "en_US_POSIX")
            format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            format.timeZone = TimeZone(identifier: "GMT")
            let sent = try #require(format.date(from: date), "Date: \(date)")
            #expect(abs(sent.timeIntervalSinceNow) < 120)

            // Counted as the router would count it, and the boot recorded.
            let metrics = try await running.client.get("/metrics")
            #expect(metrics.text.contains(#"pxelab_http_requests_total{route="/ipxe",method="GET",status="200"} 2"#))
            #expect(metrics.text.contains(#"pxelab_boot_scripts_total{mode="oobe"} 2"#))
            try running.endpoint.lab.store.settle()
            let record = try running.endpoint.lab.store.device(named: "sales-1")
            #expect(record?.bootCount == 2 && record?.bootClient == "127.0.0.1")
        }
    }

    @Test func aScriptAskedForWithConnectionCloseEndsTheConnection() async throws {
        try await withEndpoint { running in
            // Two requests: the server must answer the first and close, never the second.
            let replies = try await RawHTTPConnection.exchange(
                port: running.port,
                requests: "GET /boot.ipxe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\nGET /boot.ipxe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                responses: 2)
            #expect(replies.count == 1)
            #expect(replies.first?.headers["connection"] == "close")
        }
    }

    @Test func requestsThePipelineDeclinesReachTheRouter() async throws {
        try await withEndpoint { running in
            // No identity at all, and an unknown machine: the router explains both.
            let replies = try await RawHTTPConnection.exchange(port: running.port, requests: [
                "GET /ipxe?platform=pcbios", "GET /ipxe?serial=NOBODY-1&mac=52-54-00-aa-bb-cc",
            ].map { "\($0) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" }.joined(), responses: 2)
            try #require(replies.count == 2)
            #expect(replies[0].status == 400 && replies[0].body.contains("at least one of mac, uuid or serial"))
            #expect(replies[1].status == 200 && replies[1].body.contains("no lab device has this MAC, UUID or serial"))
        }
    }
}

/// One HTTP/1.1 connection driven byte by byte, to send pipelined requests and see each response
/// as the server framed it.
enum RawHTTPConnection {
    struct Reply {
        let status: Int
        /// Header names in lower case.
        let headers: [String: String]
        let body: String
    }

    /// Sends `requests` in one write and reads until `responses` whole responses have come, the
    /// server closes, or 10 s pass.
    static func exchange(port: Int, requests: String, responses: Int) async throws -> [Reply] {
        try await onThreadOfItsOwn { try exchangeBlocking(port: port, requests: requests, responses: responses) }
    }

    private static func exchangeBlocking(port: Int, requests: String, responses: Int) throws -> [Reply] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard IPv4SocketAddress(host: "127.0.0.1", port: port).withSockaddr({ connect(fd, $0, $1) }) == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot connect to port \(port)"])
        }
        let bytes = Array(requests.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot send the requests"])
        }
        var received: [UInt8] = []
        var replies: [Reply] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while replies.count < responses {
            while let (reply, used) = parse(received) {
                replies.append(reply)
                received.removeFirst(used)
            }
            if replies.count >= responses { break }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }  // closed, or the timeout
            received += chunk[0..<count]
        }
        return replies
    }

    /// A whole response at the start of `bytes` (framed by Content-Length), and its length.
    private static func parse(_ bytes: [UInt8]) -> (Reply, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else {
            return nil
        }
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            return nil
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return (Reply(status: status, headers: headers, body: String(decoding: bytes[bodyStart..<(bodyStart + length)], as: UTF8.self)),
                bodyStart + length)
    }
}
