import Foundation
import NIOHTTP1
import Testing
import LabFiles
import HTTPTypes
@testable import LabRunner
import LabService
import LabStore
@testable import RedfishAPI
import NIOCore
import PipelineAnswers
import TestSupport

/// Two virtual devices with a full SMBIOS identity, for the Redfish tests.
let redfishLab = """
lab: bmc
tenant: { domain: contoso.onmicrosoft.com }
models:
  laptop: { manufacturer: Contoso, product: Lab Laptop, sku: LL-1, memory: 4GiB, vcpus: 2, bios: { version: "2.4.1" } }
fleet:
  - { model: laptop, count: 2, name: "node-{seq}", serial: "RF-{seq}", assetTag: "ASSET-{seq}" }
profiles: [{ displayName: Standard, assignments: [All devices] }]
"""

@Suite("the Redfish service over a lab's devices")
struct RedfishServiceTests {

    func open(timing: LabTiming = LabTiming(scale: 0)) async throws -> (RunningLab, RedfishClient) {
        let running = try await RunningLab.open(labFile: try LabFile.parse(redfishLab, file: "bmc.yaml"),
                                                stateRoot: makeTemporaryDirectory("pxelab-redfish"),
                                                options: .init(imagesDirectory: images, timing: timing))
        let client = try RedfishClient(url: running.redfish.url(port: running.redfishPort), authority: try #require(running.redfish.authorityFile))
        return (running, client)
    }

    @Test func theRootIsOpenAndEverythingElseNeedsASessionOrBasicCredentials() async throws {
        let (running, client) = try await open()
        let password = running.redfish.service.adminPassword
        let versions = try await client.request(.GET, "/redfish", as: .none)
        #expect(versions.json["v1"] as? String == "/redfish/v1/")
        let root = try await client.request(.GET, "/redfish/v1/", as: .none)
        #expect(root.status == 200)
        #expect(root.header("OData-Version") == "4.0")
        #expect(((root.json["Links"] as? [String: Any])?["Sessions"] as? [String: Any])?["@odata.id"] as? String
            == "/redfish/v1/SessionService/Sessions")
        let refused = try await client.request(.GET, "/redfish/v1/Systems", as: .none)
        #expect(refused.status == 401)
        #expect(refused.header("WWW-Authenticate")?.hasPrefix("Basic") == true)
        #expect(refused.messageID == "Base.1.19.NoValidSession")
        #expect(try await client.request(.GET, "/redfish/v1/Systems", as: .basic("admin", "wrong-password")).status == 401)

        let basic = try await client.request(.GET, "/redfish/v1/Systems/", as: .basic("admin", password))
        #expect(basic.json["Members@odata.count"] as? Int == 2)

        let login = try await client.request(.POST, "/redfish/v1/SessionService/Sessions", json: ["UserName": "admin", "Password": password],
                                             as: .none)
        #expect(login.status == 201)
        let token = try #require(login.header("X-Auth-Token"))
        let location = try #require(login.header("Location"))
        #expect(try await client.request(.GET, "/redfish/v1/Systems", as: .token(token)).status == 200)
        #expect(try await client.request(.DELETE, location, as: .token(token)).status == 204)
        #expect(try await client.request(.GET, "/redfish/v1/Systems", as: .token(token)).status == 401)
        try await running.close()
    }

    @Test func aSystemCarriesItsIdentityAndItsBootOverrideHonoursIfMatch() async throws {
        let (running, client) = try await open()
        let admin = RedfishClient.Credentials.basic("admin", running.redfish.service.adminPassword)
        let device = try #require(running.lab.labFile.devices.first)
        let byName = try await client.request(.GET, "/redfish/v1/Systems/\(device.name)", as: admin)
        #expect(byName.status == 200)
        #expect(byName.json["SerialNumber"] as? String == "RF-1")
        #expect(byName.json["Manufacturer"] as? String == "Contoso")
        #expect(byName.json["Model"] as? String == "Lab Laptop")
        #expect(byName.json["SKU"] as? String == "LL-1")
        #expect(byName.json["AssetTag"] as? String == "ASSET-1")
        #expect(byName.json["BiosVersion"] as? String == "2.4.1")
        #expect(byName.json["UUID"] as? String == device.identity.uuid.uuidString.lowercased())
        #expect((byName.json["MemorySummary"] as? [String: Any])?["TotalSystemMemoryGiB"] as? Double == 4)
        let path = "/redfish/v1/Systems/\(device.identity.uuid.uuidString.uppercased())"
        let system = try await client.request(.GET, path, as: admin)
        let etag = try #require(system.header("ETag"))
        #expect(system.json["@odata.etag"] as? String == etag)
        #expect(system.header("Allow")?.contains("PATCH") == true)

        let boot = ["Boot": ["BootSourceOverrideEnabled": "Once", "BootSourceOverrideTarget": "Pxe"]]
        let stale = try await client.request(.PATCH, path, json: boot, headers: ["If-Match": "\"0000\""], as: admin)
        #expect(stale.status == 412)
        #expect(stale.messageID == "Base.1.19.PreconditionFailed")
        // An ETag altered as DMTF's protocol validator alters one is stale too.
        #expect(try await client.request(.PATCH, path, json: boot, headers: ["If-Match": etag + "foobar"], as: admin).status == 412)
        #expect(try await client.request(.PATCH, path, json: boot, headers: ["If-Match": String(etag.dropLast()) + "0\""], as: admin).status == 412)
        let patched = try await client.request(.PATCH, path, json: boot, headers: ["If-Match": etag], as: admin)
        #expect(patched.status == 200)
        let override = patched.json["Boot"] as? [String: Any]
        #expect(override?["BootSourceOverrideEnabled"] as? String == "Once")
        #expect(override?["BootSourceOverrideTarget"] as? String == "Pxe")
        #expect(patched.header("ETag") != etag)
        // The ETag read before the override changed is stale now.
        #expect(try await client.request(.PATCH, path, json: boot, headers: ["If-Match": etag], as: admin).status == 412)
        let bad = try await client.request(.PATCH, path, json: ["Boot": ["BootSourceOverrideTarget": "Floppy"]], as: admin)
        #expect(bad.status == 400)
        #expect(bad.messageID == "Base.1.19.PropertyValueNotInList")
        try await running.close()
    }

    /// What Ironic reads of a node's firmware: its Secure Boot (sushy's `system.secure_boot`) and
    /// TPM, as the device's model has them.
    @Test func aSystemShowsItsModelsSecureBootAndTPM() async throws {
        let running = try await RunningLab.open(labFile: try LabFile.parse("""
            lab: firmware
            tenant: { domain: contoso.onmicrosoft.com }
            models:
              w11: { manufacturer: Contoso, product: Secure Laptop }
              open: { manufacturer: Contoso, product: Open Laptop, secureBoot: false, tpm: "1.2" }
              legacy: { manufacturer: Contoso, product: Old Box, firmware: bios, tpm: none }
            fleet:
              - { model: w11, name: secure, serial: FW-1 }
              - { model: open, name: open, serial: FW-2 }
              - { model: legacy, name: old, serial: FW-3 }
            """, file: "firmware.yaml"), stateRoot: makeTemporaryDirectory("pxelab-redfish-firmware"),
            options: .init(imagesDirectory: images, timing: LabTiming(scale: 0)))
        let client = try RedfishClient(url: running.redfish.url(port: running.redfishPort), authority: try #require(running.redfish.authorityFile))
        let admin = RedfishClient.Credentials.basic("admin", running.redfish.service.adminPassword)
        let expected: [(String, String?, Bool?, String?)] = [("secure", "TPM2_0", true, "UserMode"), ("open", "TPM1_2", false, "SetupMode"),
                                                              ("old", nil, nil, nil)]
        for (name, tpm, enabled, mode) in expected {
            let system = try await client.request(.GET, "/redfish/v1/Systems/\(name)", as: admin).json
            let modules = try #require(system["TrustedModules"] as? [[String: Any]], "\(name)")
            #expect(modules.map { $0["InterfaceType"] as? String } == (tpm.map { [$0] } ?? []), "\(name)")
            let link = (system["SecureBoot"] as? [String: Any])?["@odata.id"] as? String
            let secureBoot = try await client.request(.GET, "/redfish/v1/Systems/\(name)/SecureBoot", as: admin)
            guard let enabled else {
                #expect(link == nil && secureBoot.status == 404, "\(name): a BIOS has no Secure Boot")
                continue
            }
            #expect(link?.hasSuffix("/SecureBoot") == true, "\(name)")
            #expect(secureBoot.json["SecureBootEnable"] as? Bool == enabled && secureBoot.json["SecureBootMode"] as? String == mode, "\(name)")
            #expect(secureBoot.json["SecureBootCurrentBoot"] as? String == (enabled ? "Enabled" : "Disabled"), "\(name)")
            // Read-only: the lab file says a model's firmware.
            let patch = try await client.request(.PATCH, "/redfish/v1/Systems/\(name)/SecureBoot", json: ["SecureBootEnable": !enabled], as: admin)
            #expect(patch.status == 405, "\(name)")
        }
        try await running.close()
    }

    @Test func aResetIsTheLabsPowerFlowFollowedAsATask() async throws {
        let (running, client) = try await open()
        let admin = RedfishClient.Credentials.basic("admin", running.redfish.service.adminPassword)
        let path = "/redfish/v1/Systems/node-1"
        let factory = try await client.request(.GET, path, as: admin)
        #expect(factory.json["PowerState"] as? String == "Off")
        let oem = try #require((factory.json["Oem"] as? [String: Any])?["Pxelab"] as? [String: Any])
        #expect(oem["@odata.type"] as? String == "#PxelabComputerSystem.v1_0_0.PxelabComputerSystem")
        #expect(oem["Lifecycle"] as? String == "factory")
        #expect(oem["BootCount"] as? Int == 0)
        #expect(oem["Profile"] as? String == "Standard")
        #expect(oem["DeploymentMode"] as? String == "user-driven")
        #expect(oem["LastErrorCode"] is NSNull)
        // Polled again with nothing changed, the system is sent as kept (the first read stored the
        // registration's assignment, as the service does when it first looks: a commit).
        #expect(try await client.request(.GET, path, as: admin).header("ETag") == factory.header("ETag"))
        let hits = running.redfish.service.renderedSystems.hitCount
        #expect(try await client.request(.GET, path, as: admin).header("ETag") == factory.header("ETag"))
        #expect(running.redfish.service.renderedSystems.hitCount == hits + 1)
        func reset(_ type: String) async throws -> RedfishClient.Reply {
            let accepted = try await client.request(.POST, path + "/Actions/ComputerSystem.Reset", json: ["ResetType": type], as: admin)
            #expect(accepted.status == 202)
            // A task monitor answers 202 while the flow runs, then the action's answer.
            return try await client.taskEnd(of: accepted, as: admin, every: .milliseconds(10), within: 30)
        }
        let once = ["Boot": ["BootSourceOverrideEnabled": "Once", "BootSourceOverrideTarget": "Pxe"]]
        #expect(try await client.request(.PATCH, path, json: once, as: admin).status == 200)
        #expect(try await reset("On").status == 204)
        let on = try await client.request(.GET, path, as: admin).json
        #expect(on["PowerState"] as? String == "On")
        // The boot spent the one-time override, and the device's firmware event names it.
        #expect((on["Boot"] as? [String: Any])?["BootSourceOverrideEnabled"] as? String == "Disabled")
        let firmware = try running.lab.store.events(of: "node-1").filter { $0.step == "firmware" }.compactMap(\.message)
        #expect(firmware.count == 1)
        #expect(firmware.first?.hasPrefix("network boot (boot source override Pxe, Once), UEFI, Secure Boot on, TPM 2.0, SMBIOS serial RF-1") == true, "\(firmware)")
        // The deployment shows in the Oem section (the store's commits made it render again).
        let deployed = try #require((on["Oem"] as? [String: Any])?["Pxelab"] as? [String: Any])
        #expect(deployed["Lifecycle"] as? String == "deployed")
        #expect(deployed["BootCount"] as? Int == 1)
        #expect(deployed["OOBEPhase"] is String)
        #expect(try running.lab.store.device(named: "node-1")?.lifecycle == .deployed)
        #expect(try await reset("ForceOff").status == 204)
        #expect(try await client.request(.GET, path, as: admin).json["PowerState"] as? String == "Off")
        // The power button toggles: off, it powers on; on, it powers off.
        #expect(try await reset("PushPowerButton").status == 204)
        #expect(try await client.request(.GET, path, as: admin).json["PowerState"] as? String == "On")
        #expect(try await reset("PushPowerButton").status == 204)
        #expect(try await client.request(.GET, path, as: admin).json["PowerState"] as? String == "Off")
        let unknown = try await client.request(.POST, path + "/Actions/ComputerSystem.Reset", json: ["ResetType": "Nmi"], as: admin)
        #expect(unknown.status == 400)
        let tasks = try await client.request(.GET, "/redfish/v1/TaskService/Tasks", as: admin)
        #expect(tasks.json["Members@odata.count"] as? Int == 4)
        try await running.close()
    }

    /// A poll of a kept system is answered in the channel pipeline with the router's bytes and
    /// headers, and only while its power state, boot override and the store are as it was kept:
    /// a power flow, an override and a power change made outside the lab (seen through libvirt's
    /// lifecycle event) each send the next poll back to the router.
    @Test func aPolledSystemIsAnsweredInThePipelineAsTheRouterAnswersIt() async throws {
        let (running, client) = try await open()
        let service = running.redfish.service
        let password = service.adminPassword
        let admin = RedfishClient.Credentials.basic("admin", password)
        let path = "/redfish/v1/Systems/node-1"
        func poll(_ password: String = password, odataVersion: String? = nil) -> PipelineAnswerText? {
            var fields: HTTPFields = [.authorization: "Basic " + Data("admin:\(password)".utf8).base64EncodedString()]
            if let odataVersion { fields[RedfishHeaders.odataVersion] = odataVersion }
            return service.answerInPipeline(HTTPRequest(method: .get, scheme: "https", authority: "127.0.0.1", path: path, headerFields: fields))
                .map(PipelineAnswerText.init)
        }
        // Credentials not seen yet (bcrypt is the router's) and a system not rendered yet.
        #expect(poll() == nil)
        // The first rendering stores the registration's assignment (a commit): kept from the next.
        _ = try await client.request(.GET, path, as: admin)
        let routed = try await client.request(.GET, path, as: admin)
        #expect(routed.json["PowerState"] as? String == "Off")
        let kept = try #require(poll())
        #expect(kept.body == routed.text)
        for name in ["OData-Version", "Cache-Control", "ETag", "Allow", "Link", "Content-Type"] {
            #expect(kept.headers[name.lowercased()] == routed.header(name), "\(name)")
        }
        #expect(Set(kept.headers.keys) == Set(routed.headers.keys).subtracting(["date", "server", "content-length"]))
        #expect(poll("wrong-password") == nil)
        #expect(poll(odataVersion: "4.01") == nil)

        // Powered on by the lab: read from libvirt again, then kept again.
        _ = try await running.fleet.power("node-1", .on)
        #expect(poll() == nil)
        #expect(try await client.request(.GET, path, as: admin).json["PowerState"] as? String == "On")
        #expect(poll()?.body.contains(#""PowerState":"On""#) == true)

        // A boot override changes the system.
        let boot = ["Boot": ["BootSourceOverrideEnabled": "Once", "BootSourceOverrideTarget": "Pxe"]]
        #expect(try await client.request(.PATCH, path, json: boot, as: admin).status == 200)
        #expect(poll() == nil)
        _ = try await client.request(.GET, path, as: admin)
        #expect(poll() != nil)

        // Powered off behind the lab's back: libvirt's lifecycle event drops the kept state.
        try await running.host(of: "node-1").perform { try $0.domain(named: "node-1").destroy() }
        try await withDeadline {
            while running.fleet.keptPowerState(of: try running.lab.device("node-1")) != nil { await Task.yield() }
        }
        #expect(poll() == nil)
        #expect(try await client.request(.GET, path, as: admin).json["PowerState"] as? String == "Off")
        #expect(poll()?.body.contains(#""PowerState":"Off""#) == true)
        try await running.close()
    }

    /// A ForceOff in the middle of a virtual device's deployment (real time: minutes long) cuts
    /// it where it is, as pulling the plug of a real VM does: the power-on's flow ends failed,
    /// the agent reports and saves nothing more, the system reads Off.
    @Test func aForceOffCutsAVirtualDevicesDeploymentWhereItIs() async throws {
        let (running, client) = try await open(timing: LabTiming(scale: 1))
        let admin = RedfishClient.Credentials.basic("admin", running.redfish.service.adminPassword)
        let path = "/redfish/v1/Systems/node-1"
        let events = running.lab.store.feed.subscribe(device: "node-1")
        let on = try await client.request(.POST, path + "/Actions/ComputerSystem.Reset", json: ["ResetType": "On"], as: admin)
        #expect(on.status == 202)
        // Under way: the firmware's step has started (it takes 20 s in real time).
        var underWay: StoredEvent?
        for await event in events where event.phase == .boot && event.status == .started {
            underWay = event
            break
        }
        let started = try #require(underWay)
        let off = try await client.request(.POST, path + "/Actions/ComputerSystem.Reset", json: ["ResetType": "ForceOff"], as: admin)
        #expect(off.status == 202)
        await running.redfish.service.resetsCarriedOut()
        #expect(try await client.request(.GET, path, as: admin).json["PowerState"] as? String == "Off")
        // The power-on's task ends with its flow, failed where the device was (polled as a
        // client polls its task monitor).
        #expect(try await client.taskEnd(of: on, as: admin).status == 204)
        try running.lab.store.settle()
        let record = try #require(try running.lab.store.device(named: "node-1"))
        #expect(record.lifecycle == .failed)
        #expect(record.lastSeq == started.seq)
        let oem = (try await client.request(.GET, path, as: admin).json["Oem"] as? [String: Any])?["Pxelab"] as? [String: Any]
        #expect(oem?["Lifecycle"] as? String == "failed")

        // On and ForceOff back to back, whenever the power-off lands (before the flow reaches the
        // device or under way), leave the system off.
        for _ in 0..<3 {
            let on = try await client.request(.POST, path + "/Actions/ComputerSystem.Reset", json: ["ResetType": "On"], as: admin)
            let off = try await client.request(.POST, path + "/Actions/ComputerSystem.Reset", json: ["ResetType": "ForceOff"], as: admin)
            #expect(on.status == 202 && off.status == 202)
            await running.redfish.service.resetsCarriedOut()
            _ = try await client.taskEnd(of: on, as: admin)
            #expect(try await client.request(.GET, path, as: admin).json["PowerState"] as? String == "Off")
        }
        try await running.close()
    }

    @Test func accountsHaveRolesAndAReadOnlyAccountCannotChangeASystem() async throws {
        let (running, client) = try await open()
        let admin = RedfishClient.Credentials.basic("admin", running.redfish.service.adminPassword)
        let created = try await client.request(.POST, "/redfish/v1/AccountService/Accounts",
                                               json: ["UserName": "viewer", "Password": "viewer-pass-1", "RoleId": "ReadOnly"], as: admin)
        #expect(created.status == 201)
        let viewer = RedfishClient.Credentials.basic("viewer", "viewer-pass-1")
        #expect(try await client.request(.GET, "/redfish/v1/Systems/node-2", as: viewer).status == 200)
        let refused = try await client.request(.PATCH, "/redfish/v1/Systems/node-2",
                                               json: ["Boot": ["BootSourceOverrideTarget": "Hdd"]], as: viewer)
        #expect(refused.status == 403)
        let account = try #require(created.header("Location"))
        #expect(try await client.request(.DELETE, account, as: admin).status == 204)
        #expect(try await client.request(.GET, "/redfish/v1/Systems/node-2", as: viewer).status == 401)
        #expect(try await client.request(.DELETE, "/redfish/v1/AccountService/Accounts/1", as: admin).status == 409)
        #expect(try await client.request(.PATCH, "/redfish/v1/AccountService/Accounts/1", json: ["UserName": "root"], as: admin).status == 409)
        try await running.close()
    }

    @Test func accountsOutliveTheServiceAndTheAdminsPasswordFileFollowsItsChange() async throws {
        let (running, client) = try await open()
        let admin = RedfishClient.Credentials.basic("admin", running.redfish.service.adminPassword)
        let created = try await client.request(.POST, "/redfish/v1/AccountService/Accounts",
                                               json: ["UserName": "ops", "Password": "ops-pass-12", "RoleId": "Operator"], as: admin)
        #expect(created.status == 201)
        #expect(try await client.request(.PATCH, "/redfish/v1/AccountService/Accounts/1", json: ["Password": "new-admin-pass"], as: admin).status == 200)
        let file = running.lab.directory.path("redfish-accounts.json")
        let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        // The service started again (the next `pxelab run --keep` or `serve`) has them.
        let again = try RedfishService(lab: running.lab, fleet: nil)
        #expect(again.adminPassword == "new-admin-pass")
        #expect(try String(contentsOf: running.lab.directory.path("redfish.password"), encoding: .utf8) == "new-admin-pass\n")
        #expect(again.accounts.authenticate(user: "ops", password: "ops-pass-12")?.roleID == .operator)
        #expect(again.accounts.authenticate(user: "admin", password: "new-admin-pass") != nil)
        #expect(again.accounts.all.map(\.userName) == ["admin", "ops"])
        // A file that cannot be read is an error naming it, not an admin alone.
        try Data("{not json".utf8).write(to: file)
        let error = #expect(throws: LabError.self) { try RedfishService(lab: running.lab, fleet: nil) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("redfish-accounts.json"))
        try await running.close()
    }

    /// An account change whose file cannot be written is refused with the file named, and is not
    /// in force (the accounts stay as the file has them). The file is made a folder: a rename
    /// over it fails even for root, as the tests run.
    @Test func anAccountChangeThatCannotBeWrittenIsNotInForce() async throws {
        let (running, client) = try await open()
        let password = running.redfish.service.adminPassword
        let admin = RedfishClient.Credentials.basic("admin", password)
        let file = running.lab.directory.path("redfish-accounts.json")
        try? FileManager.default.removeItem(at: file)
        try FileManager.default.createDirectory(at: file, withIntermediateDirectories: false)
        let created = try await client.request(.POST, "/redfish/v1/AccountService/Accounts",
                                               json: ["UserName": "ops", "Password": "ops-pass-12", "RoleId": "Operator"], as: admin)
        #expect(created.status == 500)
        #expect(created.text.contains("redfish-accounts.json"))
        let changed = try await client.request(.PATCH, "/redfish/v1/AccountService/Accounts/1", json: ["Password": "new-admin-pass"], as: admin)
        #expect(changed.status == 500)
        let accounts = try await client.request(.GET, "/redfish/v1/AccountService/Accounts", as: admin)
        #expect(accounts.json["Members@odata.count"] as? Int == 1)
        #expect(try await client.request(.GET, "/redfish/v1/Systems", as: .basic("admin", "new-admin-pass")).status == 401)
        #expect(try String(contentsOf: running.lab.directory.path("redfish.password"), encoding: .utf8) == password + "\n")
        try await running.close()
    }

    /// MAAS's Redfish power driver, call for call: Basic credentials only, hard-coded paths, the
    /// system id from the first member, ForceOff when on, the one-time PXE override PATCHed with
    /// `If-Match` from `@odata.etag`, then On; the power state read lower-cased.
    @Test func maassPowerOnSequence() async throws {
        let (running, client) = try await open()
        let admin = RedfishClient.Credentials.basic("admin", running.redfish.service.adminPassword)
        let json = ["Accept": "application/json"]
        let systems = try await client.request(.GET, "/redfish/v1/Systems", headers: json, as: admin)
        let first = try #require(((systems.json["Members"] as? [[String: Any]])?.first?["@odata.id"] as? String))
        let id = try #require(first.split(separator: "/").last.map(String.init))
        let path = "/redfish/v1/Systems/\(id)"
        func powerState() async throws -> String? {
            (try await client.request(.GET, path, headers: json, as: admin).json["PowerState"] as? String)?.lowercased()
        }
        func reset(_ type: String) async throws {
            let answer = try await client.request(.POST, path + "/Actions/ComputerSystem.Reset", json: ["ResetType": type], headers: json, as: admin)
            #expect([200, 202, 204].contains(answer.status), "\(type): \(answer.json)")
        }
        for round in 0..<2 {
            if try await powerState() == "on" { try await reset("ForceOff") }
            let system = try await client.request(.GET, path, headers: json, as: admin)
            let etag = try #require(system.json["@odata.etag"] as? String ?? system.header("ETag"))
            let patched = try await client.request(.PATCH, path, json: ["Boot": ["BootSourceOverrideEnabled": "Once", "BootSourceOverrideTarget": "Pxe"]],
                                                   headers: json.merging(["If-Match": etag]) { $1 }, as: admin)
            #expect(patched.status == 200, "round \(round): \(patched.json)")
            try await reset("On")
            // MAAS polls the power state after a power-on.
            var state: String?
            for _ in 0..<3_000 where state != "on" {
                state = try await powerState()
                if state != "on" { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(state == "on", "round \(round)")
        }
        try await running.close()
    }
}

/// A pipeline answer's header fields (lower-case names) and body, to compare with a reply.
struct PipelineAnswerText: Equatable {
    let headers: [String: String]
    let body: String

    init(_ answer: PipelineAnswer) {
        headers = Dictionary(answer.headerFields.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { first, _ in first })
        body = String(buffer: answer.body)
    }
}
