import Foundation
import Testing
import TestSupport

/// `pxelab serve --listen A --listen B`: the endpoint answers on every address given, on the
/// same port (as a controller serves VMs on several libvirt hosts), and stops on SIGTERM.
@Suite("pxelab serve on several addresses")
struct ServeListenTests {
    @Test func everyAddressAnswersOnTheSamePortAndASignalStopsIt() async throws {
        let fixture = try PXELabRunFixture(lab: """
            lab: listen
            tenant: { domain: contoso.onmicrosoft.com }
            models:
              laptop: { manufacturer: Contoso, product: Listen Laptop }
            fleet:
              - { model: laptop, name: l-1, serial: LISTEN001 }
            """, named: "listen", label: "pxelab-serve-listen")
        defer { fixture.remove() }
        // 127.0.0.2 is loopback too (the whole of 127/8 is), a second address without a network.
        let running = try fixture.pxelab.start(["serve", "--lab", fixture.file.path, "--state-dir", fixture.state.path, "--port", "0",
                                                "--listen", "127.0.0.1", "--listen", "127.0.0.2"], in: fixture.folder)
        defer { if running.isRunning { running.signal(SIGKILL) } }
        let announced = try await onThreadOfItsOwn { () -> String? in
            while running.isRunning, !running.output().contains("serving on") { usleep(20_000) }  // polling its output
            return running.isRunning ? running.output() : nil
        }
        let output = try #require(announced, "pxelab serve ended: \(running.output().suffix(2_000))")
        let match = try #require(output.firstMatch(of: /serving on http:\/\/127\.0\.0\.1:(\d+) and http:\/\/127\.0\.0\.2:(\d+)/),
                                 "\(output)")
        #expect(match.1 == match.2)
        let port = try #require(Int(match.1))
        for address in ["127.0.0.1", "127.0.0.2"] {
            let reply = try await HTTPTestClient(port: port, address: address).get("/boot.ipxe")
            #expect(reply.status == 200 && reply.text.hasPrefix("#!ipxe"), "\(address): \(reply.status)")
        }
        running.signal(SIGTERM)
        #expect(await running.exit() == 0)
        // serve hosts no devices: stopping it closes the endpoint, and it says so.
        #expect(running.output().contains("pxelab: stopping: closing the endpoint"), "\(running.output().suffix(500))")
    }
}
