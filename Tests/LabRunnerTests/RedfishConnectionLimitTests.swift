import Foundation
import Testing
import HTTPConnections
import LabFiles
import LabRunner
import TestSupport

/// The Redfish service's listener has the endpoint's connection limits.
@Suite("the Redfish service's connection limits")
struct RedfishConnectionLimitTests {
    @Test func aHalfSentHeadIsAnswered408AndAnAnonymousClientStill401() async throws {
        let limits = ConnectionLimits(headerTimeout: .seconds(3))
        let running = try await RunningLab.open(labFile: try LabFile.parse(redfishLab, file: "bmc.yaml"),
                                                stateRoot: makeTemporaryDirectory("pxelab-redfish-limits"),
                                                options: .init(imagesDirectory: images, timing: LabTiming(scale: 0),
                                                               redfish: .init(tls: false, connectionLimits: limits)))
        let port = running.redfishPort
        let (late, anonymous) = try await onThreadOfItsOwn { () throws -> (String?, String?) in
            let slow = try HeldConnection(from: "127.0.3.1", to: port)
            try slow.send("GET /redfish/v1/Systems HTTP/1.1\r\nHost: bmc\r\nX-Slow: ")
            let other = try HeldConnection(from: "127.0.3.2", to: port)
            try other.send("GET /redfish/v1/Systems HTTP/1.1\r\nHost: bmc\r\nConnection: close\r\n\r\n")
            return (try slow.readUntilClosed(), try other.readUntilClosed())
        }
        // The endpoint's /metrics counts the Redfish service's connection decisions.
        let metrics = try await HTTPTestClient(port: running.port).get("/metrics").text
        try await running.close()
        #expect(metrics.contains("pxelab_redfish_connections_closed_total{reason=\"header-timeout\"} 1"), "\(metrics)")
        #expect(late?.hasPrefix("HTTP/1.1 408 Request Timeout\r\n") == true, "\(late ?? "open")")
        #expect(anonymous?.hasPrefix("HTTP/1.1 401 Unauthorized\r\n") == true, "\(anonymous ?? "open")")
    }
}
