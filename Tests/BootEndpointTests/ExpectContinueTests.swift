import Foundation
import Testing
import TestSupport

/// `Expect: 100-continue`, as curl sends it with a large body and Windows PowerShell with every
/// body: the endpoint says `100 Continue` before the body comes, then answers the request.
@Suite("Expect: 100-continue")
struct ExpectContinueTests {
    static let imports = "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities"

    @Test func theInterimAnswerComesBeforeTheBodyAndTheRequestIsThenAnswered() async throws {
        try await withEndpoint { running in
            let body = #"{"serialNumber": "EXPECT-1", "hardwareIdentifier": ""}"#
            let head = "POST \(Self.imports) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(running.endpoint.graphToken)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\n\r\n"
            // The head alone: the client waits for the interim answer before it sends the body.
            let waiting = try await RawHTTPConnection.exchange(port: running.port, requests: head, responses: 1)
            #expect(waiting.map(\.status) == [100])
            // Head and body: the interim answer, then the route's.
            let replies = try await RawHTTPConnection.exchange(port: running.port, requests: head + body, responses: 2)
            #expect(replies.map(\.status) == [100, 201])
            #expect(replies.last?.body.contains(#""serialNumber":"EXPECT-1""#) == true)
        }
    }
}
