import Foundation
import HTTPTypes
import DeviceIdentity
import LabFiles
import LabService

/// `Chassis` (one per lab device, from its SMBIOS chassis) and `Managers` (one: the lab's
/// controller, the BMC of every system, whatever host the system runs on).
extension RedfishService {
    static func chassisPath(_ device: LabDevice) -> String { "/redfish/v1/Chassis/\(device.identity.uuid.uuidString.lowercased())" }

    static let managerID = "pxelab"
    static let managerPath = "/redfish/v1/Managers/pxelab"

    func chassisCollection() -> [String: Any] {
        Self.collection("/redfish/v1/Chassis", type: "ChassisCollection", name: "Chassis Collection",
                        members: lab.labFile.devices.map { Self.chassisPath($0) })
    }

    func chassis(_ device: LabDevice) -> [String: Any] {
        let chassis = device.identity.chassis
        var object: [String: Any] = [
            "@odata.id": Self.chassisPath(device), "@odata.type": "#Chassis.v1_28_0.Chassis",
            "Id": device.identity.uuid.uuidString.lowercased(), "Name": "\(device.name) chassis",
            "ChassisType": Self.chassisType(chassis.type), "Manufacturer": chassis.manufacturer, "Model": device.identity.product,
            "SerialNumber": chassis.serial, "Status": Self.enabled, "Drives": Self.link(Self.chassisPath(device) + "/Drives"),
            "Links": ["ComputerSystems": [Self.link(Self.systemPath(device))], "ManagedBy": [Self.link(Self.managerPath)]],
        ]
        if let assetTag = chassis.assetTag { object["AssetTag"] = assetTag }
        return object
    }

    /// Redfish's ChassisType for an SMBIOS chassis type: Redfish has no laptop or tablet; a
    /// client device of any form is a stand-alone chassis.
    static func chassisType(_ type: ChassisType) -> String {
        type == .other ? "Other" : "StandAlone"
    }

    func managerCollection() -> [String: Any] {
        Self.collection("/redfish/v1/Managers", type: "ManagerCollection", name: "Manager Collection", members: [Self.managerPath])
    }

    func managers(_ request: RedfishRequest, _ path: [String]) throws -> Reply {
        guard path[0] == Self.managerID else { throw RedfishError.notFound("Manager", path[0]) }
        switch Array(path.dropFirst()) {
        case []:
            return try only(request, [.get, .head]) { Reply(manager()) }
        case ["EthernetInterfaces"]:
            return try only(request, [.get, .head]) {
                Reply(Self.collection(Self.managerPath + "/EthernetInterfaces", type: "EthernetInterfaceCollection",
                                      name: "Manager Ethernet Interface Collection", members: [Self.managerPath + "/EthernetInterfaces/1"]))
            }
        case ["EthernetInterfaces", "1"]:
            return try only(request, [.get, .head]) { Reply(managerInterface()) }
        default:
            throw RedfishError.notFound("Resource", Self.managerPath + "/" + path.dropFirst().joined(separator: "/"))
        }
    }

    func manager() -> [String: Any] {
        ["@odata.id": Self.managerPath, "@odata.type": "#Manager.v1_24_0.Manager", "Id": Self.managerID,
         "Name": "pxelab controller", "ManagerType": "BMC", "UUID": uuid, "ServiceEntryPointUUID": uuid,
         "Model": "pxelab", "FirmwareVersion": "pxelab", "Status": Self.enabled, "PowerState": "On",
         "EthernetInterfaces": Self.link(Self.managerPath + "/EthernetInterfaces"),
         "Links": ["ManagerForServers": lab.labFile.devices.map { Self.link(Self.systemPath($0)) },
                   "ManagerForChassis": lab.labFile.devices.map { Self.link(Self.chassisPath($0)) }]]
    }

    /// The controller's own interface: the address the service listens on (a host route: the
    /// service is reached at that address and goes nowhere beyond it).
    func managerInterface() -> [String: Any] {
        var interface: [String: Any] = [
            "@odata.id": Self.managerPath + "/EthernetInterfaces/1", "@odata.type": "#EthernetInterface.v1_12_4.EthernetInterface",
            "Id": "1", "Name": "Manager Ethernet Interface", "InterfaceEnabled": true, "LinkStatus": "LinkUp",
            "HostName": "pxelab", "Status": Self.enabled,
        ]
        let address = listenAddress.withLock { $0 }
        if address.contains(":") {
            interface["IPv6Addresses"] = [["Address": address, "PrefixLength": 128, "AddressOrigin": "Static", "AddressState": "Preferred"]]
        } else {
            interface["IPv4Addresses"] = [["Address": address, "SubnetMask": "255.255.255.255", "AddressOrigin": "Static", "Gateway": address]]
        }
        return interface
    }
}
