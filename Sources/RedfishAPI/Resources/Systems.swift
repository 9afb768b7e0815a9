import Foundation
import HTTPTypes
import DeviceIdentity
import LabFiles
import LabService
import LabStore

/// `Systems`: one ComputerSystem per lab device, by its SMBIOS UUID (its `Id`) or its name:
/// identity, power state, boot override, processors, memory and network interfaces; the reset
/// action carried out by the lab's power flows.
extension RedfishService {
    /// The reset types, each as the lab carries it out.
    static let resetTypes = ["On", "ForceOn", "ForceOff", "GracefulShutdown", "ForceRestart", "GracefulRestart", "PowerCycle",
                             "PushPowerButton"]

    func systemCollection() -> [String: Any] {
        Self.collection("/redfish/v1/Systems", type: "ComputerSystemCollection", name: "Computer System Collection",
                        members: lab.labFile.devices.map { Self.systemPath($0) })
    }

    static func systemPath(_ device: LabDevice) -> String { "/redfish/v1/Systems/\(device.identity.uuid.uuidString.lowercased())" }

    func systems(_ request: RedfishRequest, _ path: [String], caller: Caller?) async throws -> Reply {
        let device = try device(path[0])
        let rest = Array(path.dropFirst())
        switch rest {
        case []:
            switch request.method {
            case .get, .head:
                return try await keptSystem(device)
            case .patch:
                try caller?.requires("ConfigureComponents")
                try Self.checkIfMatch(request, settings: Self.settingsVersion(lab.bootOverride(of: device.name)))
                try patchBoot(request.object(), of: device)
                return try await systemReply(device, on: isPoweredOn(device), boot: lab.bootOverride(of: device.name))
            default:
                throw MethodNotAllowed(allowed: Self.systemMethods)
            }
        case ["Actions", "ComputerSystem.Reset"]:
            guard request.method == .post else { throw MethodNotAllowed(allowed: [.post]) }
            try caller?.requires("ConfigureComponents")
            return try await reset(device, request.object())
        case ["SecureBoot"]:
            guard let secureBoot = secureBoot(device) else { throw RedfishError.notFound("SecureBoot", Self.secureBootPath(device)) }
            return try only(request, [.get, .head]) { Reply(secureBoot) }
        case ["ResetActionInfo"]:
            return try only(request, [.get, .head]) { Reply(resetActionInfo(device)) }
        case ["Storage"]:
            return try only(request, [.get, .head]) {
                Reply(Self.collection(Self.systemPath(device) + "/Storage", type: "StorageCollection", name: "Storage Collection",
                                      members: [Self.storagePath(device)]))
            }
        case ["Storage", Self.storageID]:
            return try only(request, [.get, .head]) { Reply(storage(device)) }
        case ["EthernetInterfaces"]:
            return try only(request, [.get, .head]) {
                Reply(Self.collection(Self.systemPath(device) + "/EthernetInterfaces", type: "EthernetInterfaceCollection",
                                      name: "Ethernet Network Interface Collection", members: [Self.interfacePath(device)]))
            }
        case _ where rest.count == 2 && rest[0] == "EthernetInterfaces":
            let interface = rest[1]
            guard interface == Self.interfaceID(device) else { throw RedfishError.notFound("EthernetInterface", interface) }
            let on = try await isPoweredOn(device)
            return try only(request, [.get, .head]) { Reply(ethernetInterface(device, on: on)) }
        default:
            throw RedfishError.notFound("Resource", Self.systemPath(device) + "/" + path.dropFirst().joined(separator: "/"))
        }
    }

    func isPoweredOn(_ device: LabDevice) async throws -> Bool? {
        guard let fleet else { return nil }
        return try await fleet.isPoweredOn(device.name)
    }

    func systemReply(_ device: LabDevice, on: Bool?, boot: BootOverride) async throws -> Reply {
        var reply = Reply(try await system(device, on: on, boot: boot), allow: Self.systemMethods)
        reply.settingsVersion = Self.settingsVersion(boot)
        return reply
    }

    /// The version of a system's settings (its boot override, all a PATCH changes): its ETag
    /// starts with it. An `If-Match` is checked against it alone, so that a power state or a
    /// deployment that moved on since the client's GET does not refuse the PATCH (MAAS sends
    /// ForceOff, then reads the ETag and PATCHes while the power-off is still under way).
    static func settingsVersion(_ boot: BootOverride) -> String {
        String(Reply.hash(Data("\(boot.target.rawValue) \(boot.enabled.rawValue) \(boot.mode.rawValue)".utf8)).prefix(8))
    }

    func system(_ device: LabDevice, on: Bool?, boot: BootOverride) async throws -> [String: Any] {
        let identity = device.identity
        let model = lab.labFile.models.first { $0.id == device.model }
        let lab = lab
        let deployment = try await Offload.run { try lab.deploymentState(of: device.name) }
        let path = Self.systemPath(device)
        var system: [String: Any] = [
            "@odata.id": path, "@odata.type": "#ComputerSystem.v1_27_0.ComputerSystem",
            "Id": identity.uuid.uuidString.lowercased(), "Name": device.name, "SystemType": "Physical",
            "Manufacturer": identity.manufacturer, "Model": identity.product, "SerialNumber": identity.serial,
            "UUID": identity.uuid.uuidString.lowercased(), "HostName": device.name,
            "Status": Self.enabled,
            "Boot": [
                "BootSourceOverrideTarget": boot.target.rawValue,
                "BootSourceOverrideTarget@Redfish.AllowableValues": BootOverride.Target.allCases.map(\.rawValue),
                "BootSourceOverrideEnabled": boot.enabled.rawValue,
                "BootSourceOverrideEnabled@Redfish.AllowableValues": BootOverride.Enabled.allCases.map(\.rawValue),
                "BootSourceOverrideMode": boot.mode.rawValue,
                "BootSourceOverrideMode@Redfish.AllowableValues": BootOverride.Mode.allCases.map(\.rawValue),
            ],
            "EthernetInterfaces": Self.link(path + "/EthernetInterfaces"),
            "Storage": Self.link(path + "/Storage"),
            "Links": ["Chassis": [Self.link(Self.chassisPath(device))], "ManagedBy": [Self.link(Self.managerPath)]],
            "Actions": [
                "#ComputerSystem.Reset": [
                    "target": path + "/Actions/ComputerSystem.Reset",
                    "ResetType@Redfish.AllowableValues": Self.resetTypes,
                    "@Redfish.ActionInfo": path + "/ResetActionInfo",
                ],
            ],
        ]
        system["PowerState"] = on.map { $0 ? "On" : "Off" } ?? NSNull()
        system["Oem"] = [PxelabOem.name: PxelabOem.system(deployment)]
        if let sku = identity.sku { system["SKU"] = sku }
        if let assetTag = identity.chassis.assetTag { system["AssetTag"] = assetTag }
        if let bios = identity.bios { system["BiosVersion"] = bios.version }
        if let model {
            system["ProcessorSummary"] = ["Count": model.vcpus, "LogicalProcessorCount": model.vcpus]
            system["MemorySummary"] = ["TotalSystemMemoryGiB": Double(model.memoryMiB) / 1024]
            system["TrustedModules"] = Self.trustedModules(model)
            if model.firmware == .uefi { system["SecureBoot"] = Self.link(Self.secureBootPath(device)) }
        }
        return system
    }

    /// The one storage subsystem: the state disk's virtio controller.
    static let storageID = "1"

    static func storagePath(_ device: LabDevice) -> String { systemPath(device) + "/Storage/" + storageID }

    /// The state disk, under the device's chassis (Redfish's current place for drives).
    static func drivePath(_ device: LabDevice) -> String { chassisPath(device) + "/Drives/" + StateDisk.target }

    func storage(_ device: LabDevice) -> [String: Any] {
        let drive = Self.drivePath(device)
        return ["@odata.id": Self.storagePath(device), "@odata.type": "#Storage.v1_21_0.Storage", "Id": Self.storageID,
                "Name": "Virtio block storage", "Status": Self.enabled,
                "Drives": [Self.link(drive)], "Drives@odata.count": 1]
    }

    /// The state disk, as the domain has it: a qcow2 volume on virtio (PCIe).
    func stateDrive(_ device: LabDevice) -> [String: Any] {
        ["@odata.id": Self.drivePath(device), "@odata.type": "#Drive.v1_22_0.Drive",
         "Id": StateDisk.target, "Name": "State disk",
         "Description": "The disk the device keeps its state on (a qcow2 volume in the lab's disks/ folder).",
         "CapacityBytes": StateDisk.capacityMiB << 20, "Protocol": "PCIe", "Status": Self.enabled]
    }

    func resetActionInfo(_ device: LabDevice) -> [String: Any] {
        ["@odata.id": Self.systemPath(device) + "/ResetActionInfo", "@odata.type": "#ActionInfo.v1_5_0.ActionInfo",
         "Id": "ResetActionInfo", "Name": "Reset Action Info",
         "Parameters": [["Name": "ResetType", "Required": true, "DataType": "String", "AllowableValues": Self.resetTypes]]]
    }

    static func interfaceID(_ device: LabDevice) -> String { device.identity.mac.description.replacingOccurrences(of: ":", with: "") }

    static func interfacePath(_ device: LabDevice) -> String { systemPath(device) + "/EthernetInterfaces/" + interfaceID(device) }

    func ethernetInterface(_ device: LabDevice, on: Bool?) -> [String: Any] {
        let mac = device.identity.mac.description.uppercased()
        return ["@odata.id": Self.interfacePath(device), "@odata.type": "#EthernetInterface.v1_12_4.EthernetInterface",
                "Id": Self.interfaceID(device), "Name": "Ethernet Interface", "MACAddress": mac, "PermanentMACAddress": mac,
                "InterfaceEnabled": true, "LinkStatus": on == true ? "LinkUp" : "LinkDown", "Status": Self.enabled]
    }

    /// A PATCH of a system: only its `Boot` override can change.
    func patchBoot(_ body: [String: Any], of device: LabDevice) throws {
        for key in body.keys where key != "Boot" && !key.hasPrefix("@") { throw RedfishError.propertyUnknown(key) }
        guard let boot = body["Boot"] else { return }
        guard let fields = boot as? [String: Any] else { throw RedfishError.propertyValueTypeError("Boot") }
        var override = try lab.bootOverride(of: device.name)
        for (key, value) in fields {
            guard let text = value as? String else { throw RedfishError.propertyValueTypeError("Boot.\(key)") }
            switch key {
            case "BootSourceOverrideTarget":
                guard let target = BootOverride.Target(rawValue: text) else { throw RedfishError.propertyValueNotInList(text, "Boot.\(key)") }
                override.target = target
            case "BootSourceOverrideEnabled":
                guard let enabled = BootOverride.Enabled(rawValue: text) else { throw RedfishError.propertyValueNotInList(text, "Boot.\(key)") }
                override.enabled = enabled
            case "BootSourceOverrideMode":
                guard let mode = BootOverride.Mode(rawValue: text) else { throw RedfishError.propertyValueNotInList(text, "Boot.\(key)") }
                override.mode = mode
            default:
                throw RedfishError.propertyUnknown("Boot.\(key)")
            }
        }
        try lab.setBootOverride(override, of: device.name)
    }

    /// A stale `If-Match` is 412; `*` and none pass.
    static func checkIfMatch(_ request: RedfishRequest, _ current: [String: Any]) throws(RedfishError) {
        guard let offered = offeredETags(request) else { return }
        guard offered.contains(Reply.etag(of: current)) else { throw RedfishError.preconditionFailed }
    }

    /// The same for a resource whose ETag starts with its settings' version: an ETag passes when
    /// it was read with these settings.
    static func checkIfMatch(_ request: RedfishRequest, settings: String) throws(RedfishError) {
        guard let offered = offeredETags(request) else { return }
        // A whole ETag of this service's form: the settings' version, a dash, 16 hex digits.
        let issued = offered.contains { tag in
            let parts = tag.dropFirst().dropLast().split(separator: "-", omittingEmptySubsequences: false)
            return tag.hasPrefix("\"") && tag.hasSuffix("\"") && parts.count == 2 && parts[0] == settings
                && parts[1].count == 16 && parts[1].allSatisfy(\.isHexDigit)
        }
        guard issued else { throw RedfishError.preconditionFailed }
    }

    /// The ETags of an `If-Match` (weak ones as strong); nil for none or `*`.
    private static func offeredETags(_ request: RedfishRequest) -> [String]? {
        guard let wanted = request.headers[.ifMatch], wanted != "*" else { return nil }
        return wanted.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "") }
    }

    /// How long a reset waits for the operation acting on the device (the flow an earlier power-on
    /// started, following the device to its end state) before it gives up.
    static let busyWait: Duration = .seconds(600)

    /// Runs a power flow once the device is free: a BMC takes a reset whatever the system is
    /// doing, and the lab finishes what acts on the device first (only a power-off cuts short
    /// the flow following the device).
    static func power(_ name: String, _ action: PowerAction, fleet: Fleet) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + busyWait
        var pause: Duration = .milliseconds(5)
        while true {
            do {
                _ = try await fleet.power(name, action)
                return
            } catch LabError.deviceBusy where clock.now < deadline {
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(500))
            }
        }
    }

    /// `ComputerSystem.Reset`: the lab's power flow, followed as a task (202 with its monitor).
    func reset(_ device: LabDevice, _ body: [String: Any]) async throws -> Reply {
        let action = "ComputerSystem.Reset"
        guard let value = body["ResetType"] else { throw RedfishError.actionParameterMissing(action, "ResetType") }
        guard let type = value as? String, Self.resetTypes.contains(type) else {
            throw RedfishError.actionParameterNotSupported("\(value)", "ResetType", action)
        }
        guard let fleet else {
            throw RedfishError.conflict("This controller hosts no devices (pxelab serve): power actions need `pxelab run --keep`.")
        }
        // The power button toggles: what it does is decided when the press is carried out.
        let power: PowerAction? = switch type {
        case "ForceOff", "GracefulShutdown": .off
        case "ForceRestart", "GracefulRestart", "PowerCycle": .reboot
        case "PushPowerButton": nil
        default: .on
        }
        let task = tasks.start("\(action) \(type) of \(device.name)", at: clock())
        let (tasks, clock, name) = (tasks, clock, device.name)
        func carryOut() async {
            do {
                let action: PowerAction = if let power { power } else { try await fleet.isPoweredOn(name) ? .off : .on }
                try await Self.power(name, action, fleet: fleet)
                tasks.finish(task.id, at: clock(), failure: nil)
            } catch {
                tasks.finish(task.id, at: clock(), failure: "\(error)")
            }
        }
        // A power-off cuts the flow following the device and is carried out at once:
        // the resets before it that have not begun are superseded, the one under way ends with
        // its flow. Any other reset is carried out after the ones before it, in the order they
        // came (MAAS sends ForceOff and On back to back without waiting).
        let cuts = power == .off
        resets.withLock { resets in
            var system = resets[name] ?? SystemResets()
            if cuts { system.generation += 1 }
            let (earlier, generation) = (system.last, system.generation)
            system.last = Task {
                if cuts {
                    await carryOut()
                    await earlier?.value
                    return
                }
                await earlier?.value
                guard self.resets.withLock({ $0[name]?.generation }) == generation else {
                    return tasks.finish(task.id, at: clock(), failure: "superseded by a later power-off of \(name)")
                }
                await carryOut()
            }
            resets[name] = system
        }
        var reply = Reply(status: .accepted, taskBody(task))
        reply.headers[.location] = Self.taskMonitorPath(task.id)
        return reply
    }
}
