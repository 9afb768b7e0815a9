import Foundation
import Testing
import DeviceProtocol
import TestSupport

@Suite("boot scripts over HTTP")
struct BootScriptTests {
    @Test func theBootstrapChainsWithEveryIdentityVariable() async throws {
        try await withEndpoint { running in
            let reply = try await running.client.get("/boot.ipxe")
            #expect(reply.status == 200)
            #expect(reply.text.hasPrefix("#!ipxe\n"))
            #expect(reply.text.contains("chain --autofree ipxe?"))
            for variable in ["${serial:uristring}", "&uuid=${uuid}&", "${manufacturer:uristring}", "${product:uristring}",
                             "${asset:uristring}", "${net0/mac:hexhyp}", "${buildarch:uristring}", "${platform:uristring}"] {
                #expect(reply.text.contains(variable), "\(variable)")
            }
            // :uristring would send the UUID's raw bytes, cut off at the first zero byte.
            #expect(!reply.text.contains("${uuid:uristring}"))
        }
    }

    @Test func aFactoryDeviceGetsOOBEAndADeployedOneTheDesktop() async throws {
        try await withEndpoint { running in
            let device = try #require(try running.endpoint.lab.store.device(named: "sales-1"))
            let hexhyp = device.mac.replacingOccurrences(of: ":", with: "-")
            let path = "/ipxe?mac=\(hexhyp)&serial=SALES-1&manufacturer=Contoso&product=Lab%20Laptop&buildarch=x86_64&platform=pcbios"
            let first = try await running.client.get(path)
            #expect(first.status == 200)
            #expect(first.text.hasPrefix("#!ipxe\n"))
            #expect(first.text.contains("pxelab.mode=oobe"))
            #expect(first.text.contains("pxelab.device=sales-1"))
            #expect(first.text.contains("pxelab.token=\(device.token)"))
            #expect(first.text.contains("pxelab.endpoint=\(running.client.base)"))

            // The device reports the desktop: from now on it is never sent back into OOBE.
            let done = #"{"device":"sales-1","events":[{"seq":1,"time":"2026-11-25T10:00:00.000Z","phase":"desktop","step":"ready","status":"completed"}]}"#
            #expect(try await running.client.post("/oobe/v1/events", json: done, token: device.token).status == 200)
            let again = try await running.client.get(path)
            #expect(again.text.contains("pxelab.mode=desktop"))
            #expect(!again.text.contains("pxelab.mode=oobe"))
            // Boots are stored in the background; once the store settles both are there.
            try running.endpoint.lab.store.settle()
            #expect(try running.endpoint.lab.store.device(named: "sales-1")?.bootCount == 2)

            // A wipe sends it back to a fresh OOBE.
            let wiped = #"{"device":"sales-1","events":[{"seq":2,"time":"2026-11-25T11:00:00.000Z","phase":"lifecycle","step":"wipe","status":"completed"}]}"#
            #expect(try await running.client.post("/oobe/v1/events", json: wiped, token: device.token).status == 200)
            #expect(try await running.client.get(path).text.contains("pxelab.mode=oobe"))
        }
    }

    @Test func matchingByUUIDAloneAndBySerialManufacturerProduct() async throws {
        try await withEndpoint { running in
            let device = try #require(try running.endpoint.lab.store.device(named: "loose"))
            #expect(try await running.client.get("/ipxe?uuid=\(device.uuid.uppercased())").text.contains("pxelab.device=loose"))
            let bySerial = try await running.client.get("/ipxe?serial=LOOSE-1&manufacturer=CONTOSO&product=lab%20laptop")
            #expect(bySerial.text.contains("pxelab.device=loose"))
        }
    }

    @Test func anUnknownDeviceIsToldAndRecordedForDiscovery() async throws {
        try await withEndpoint { running in
            let reply = try await running.client.get("/ipxe?mac=52-54-00-ff-ff-01&serial=FIELD%20%24%7Bx%7D&manufacturer=HP")
            #expect(reply.status == 200)
            #expect(reply.text.hasPrefix("#!ipxe\n"))
            #expect(reply.text.contains("not part of lab http"))
            #expect(reply.text.contains("FIELD _{x}"))  // '$' cannot reach iPXE's expansion
            #expect(!reply.text.contains("pxelab.token"))
            _ = try await running.client.get("/ipxe?mac=52-54-00-ff-ff-01")
            let seen = try await running.client.get("/api/v1/discovered", token: running.adminToken).jsonArray
            #expect(seen.count == 1)
            #expect(seen.first?["mac"] as? String == "52-54-00-ff-ff-01")
            #expect(seen.first?["count"] as? Int == 2)
        }
    }

    @Test func twoDevicesWithOneSerialAreAReportedConflict() async throws {
        try await withEndpoint { running in
            let reply = try await running.client.get("/ipxe?serial=TWIN&manufacturer=Contoso&product=Lab%20Laptop")
            #expect(reply.text.contains("claimed by several lab devices (twin-a, twin-b)"))
            #expect(!reply.text.contains("pxelab.token"))
            let conflicts = try await running.client.get("/api/v1/conflicts", token: running.adminToken).jsonArray
            #expect(conflicts.first?["identity"] as? String == "serial TWIN")
            #expect(conflicts.first?["devices"] as? String == "twin-a,twin-b")
        }
    }

    @Test func aRequestWithoutIdentityIsABadRequest() async throws {
        try await withEndpoint { running in
            let reply = try await running.client.get("/ipxe?buildarch=x86_64")
            #expect(reply.status == 400)
            #expect(reply.errorCode == "bad-request")
        }
    }
}
