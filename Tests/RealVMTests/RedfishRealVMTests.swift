import Foundation
import Testing
import LabController
import LabService
import LabRunner
import LabFiles
import LabStore
import TestSupport

/// A real QEMU VM driven through the lab's Redfish service, as Ironic drives a node: a one-time
/// `Pxe` override and a `ForceRestart` make the VM network-boot again through iPXE from the
/// endpoint, and the override reads `Disabled` afterwards.
@Suite("Redfish on a real VM", .needs(.libvirtQEMU, .guestImage))
struct RedfishRealVMTests {
    @Test func aForceRestartWithAOneTimePxeOverrideNetworkBootsTheVMAgain() async throws {
        let tag = "rf" + UUID().uuidString.prefix(6).lowercased()
        let labFile = try LabFile.parse(oneVMLab(tag: tag, product: "Redfish Laptop", timing: "instant"), file: "redfish-vm.yaml")
        try await withRealVMLab(labFile, folder: "pxelab-redfish-vm") { running in
            let name = "\(tag)-vm"
            let device = try running.lab.device(name)
            try await running.fleet.deploy([name])
            try running.lab.store.settle()
            let bootsBefore = try #require(try running.lab.store.device(named: name)).bootCount

            let client = try RedfishClient(url: running.redfish.url(port: running.redfishPort), authority: try #require(running.redfish.authorityFile))
            let admin = RedfishClient.Credentials.basic("admin", running.redfish.service.adminPassword)
            let path = "/redfish/v1/Systems/\(device.identity.uuid.uuidString.lowercased())"
            let system = try await client.request(.GET, path, as: admin)
            #expect(system.json["PowerState"] as? String == "On")
            #expect(system.json["SerialNumber"] as? String == device.identity.serial)
            let patched = try await client.request(.PATCH, path, json: ["Boot": ["BootSourceOverrideEnabled": "Once", "BootSourceOverrideTarget": "Pxe"]],
                                                   headers: ["If-Match": try #require(system.header("ETag"))], as: admin)
            #expect(patched.status == 200)
            let accepted = try await client.request(.POST, path + "/Actions/ComputerSystem.Reset", json: ["ResetType": "ForceRestart"], as: admin)
            #expect(accepted.status == 202)
            // The task ends once the VM is back at its desktop (the reboot flow follows it there).
            let ended = try await client.taskEnd(of: accepted, as: admin, every: .milliseconds(500), within: 300)
            #expect(ended.status == 204, "\(ended.json)")

            // The VM network-booted again: iPXE asked the endpoint with its SMBIOS serial.
            try running.lab.store.settle()
            let record = try #require(try running.lab.store.device(named: name))
            #expect(record.bootCount > bootsBefore)
            #expect(record.bootIdentity?.contains("serial=\(device.identity.serial)") == true)
            // The guest's agent read the override from its kernel line: its firmware event names it.
            let firmware = try running.lab.store.events(of: name).filter { $0.step == "firmware" }.compactMap(\.message)
            #expect(firmware.last?.hasPrefix("network boot (boot source override Pxe, Once)") == true, "\(firmware)")
            let after = try await client.request(.GET, path, as: admin).json
            #expect((after["Boot"] as? [String: Any])?["BootSourceOverrideEnabled"] as? String == "Disabled")
            #expect(after["PowerState"] as? String == "On")
            try await running.close()
        }
    }

    /// Ironic powering a node off in the middle of its deployment: the ForceOff cuts in (the VM's
    /// flow ends, failing where it was, as a pulled plug does) instead of waiting for the
    /// deployment, which takes many minutes at realistic timing.
    @Test func aForceOffCutsTheDeploymentAnOnStarted() async throws {
        let tag = "rc" + UUID().uuidString.prefix(6).lowercased()
        let labFile = try LabFile.parse(oneVMLab(tag: tag, product: "Cut Laptop", timing: "realistic"), file: "redfish-cut.yaml")
        try await withRealVMLab(labFile, folder: "pxelab-redfish-cut") { running in
            let name = "\(tag)-vm"
            let device = try running.lab.device(name)
            let client = try RedfishClient(url: running.redfish.url(port: running.redfishPort), authority: try #require(running.redfish.authorityFile))
            let admin = RedfishClient.Credentials.basic("admin", running.redfish.service.adminPassword)
            let path = "/redfish/v1/Systems/\(device.identity.uuid.uuidString.lowercased())"
            func monitor(_ reply: RedfishClient.Reply) async throws -> Int {
                try await client.taskEnd(of: reply, as: admin, every: .milliseconds(500), within: 120).status
            }
            // Followed before the power-on, so that the deployment's first steps are seen.
            let events = running.lab.store.feed.subscribe(device: name)
            let on = try await client.request(.POST, path + "/Actions/ComputerSystem.Reset", json: ["ResetType": "On"], as: admin)
            #expect(on.status == 202)
            var underWay: StoredEvent?
            for await event in events where event.phase == .network {
                underWay = event
                break
            }
            #expect(underWay != nil)
            let off = try await client.request(.POST, path + "/Actions/ComputerSystem.Reset", json: ["ResetType": "ForceOff"], as: admin)
            #expect(try await monitor(off) == 204)
            #expect(try await client.request(.GET, path, as: admin).json["PowerState"] as? String == "Off")
            // The power-on's task ended with its flow: the device failed where it was.
            #expect(try await monitor(on) == 204)
            try running.lab.store.settle()
            let record = try #require(try running.lab.store.device(named: name))
            #expect(record.lifecycle == .failed)
            let oem = (try await client.request(.GET, path, as: admin).json["Oem"] as? [String: Any])?["Pxelab"] as? [String: Any]
            #expect(oem?["Lifecycle"] as? String == "failed")
            try await running.close()
        }
    }
}
