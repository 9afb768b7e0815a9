import Foundation

/// The service root, the OData service document and `$metadata`: what a client reads first.
extension RedfishService {
    func serviceRoot() -> [String: Any] {
        [
            "@odata.id": "/redfish/v1/", "@odata.type": "#ServiceRoot.v1_20_0.ServiceRoot", "Id": "RootService",
            "Name": "pxelab Redfish service", "RedfishVersion": "1.21.0", "UUID": uuid,
            "Vendor": "pxelab", "Product": "pxelab lab \(lab.labFile.lab)",
            "Systems": Self.link("/redfish/v1/Systems"), "Chassis": Self.link("/redfish/v1/Chassis"),
            "Managers": Self.link("/redfish/v1/Managers"), "SessionService": Self.link("/redfish/v1/SessionService"),
            "AccountService": Self.link("/redfish/v1/AccountService"), "Tasks": Self.link("/redfish/v1/TaskService"),
            "Links": ["Sessions": Self.link("/redfish/v1/SessionService/Sessions")],
            "ProtocolFeaturesSupported": [
                "ExcerptQuery": false, "ExpandQuery": ["ExpandAll": false, "Levels": false, "Links": false, "NoLinks": false],
                "FilterQuery": false, "OnlyMemberQuery": false, "SelectQuery": false,
            ],
        ]
    }

    func odataDocument() -> [String: Any] {
        let sets = ["Systems", "Chassis", "Managers", "SessionService", "AccountService", "TaskService"]
        return [
            "@odata.context": "/redfish/v1/$metadata",
            "value": [["name": "Service", "kind": "Singleton", "url": "/redfish/v1/"]]
                + sets.map { ["name": $0, "kind": "Singleton", "url": "/redfish/v1/\($0)"] },
        ]
    }

    /// The schemas (and versions) the service's resources use, for `$metadata`.
    static let schemas: [(file: String, namespaces: [String])] = [
        ("ServiceRoot", ["ServiceRoot", "ServiceRoot.v1_20_0"]),
        ("ComputerSystemCollection", ["ComputerSystemCollection"]),
        ("ComputerSystem", ["ComputerSystem", "ComputerSystem.v1_27_0"]),
        ("ChassisCollection", ["ChassisCollection"]),
        ("Chassis", ["Chassis", "Chassis.v1_28_0"]),
        ("ManagerCollection", ["ManagerCollection"]),
        ("Manager", ["Manager", "Manager.v1_24_0"]),
        ("EthernetInterfaceCollection", ["EthernetInterfaceCollection"]),
        ("StorageCollection", ["StorageCollection"]),
        ("Storage", ["Storage", "Storage.v1_21_0"]),
        ("DriveCollection", ["DriveCollection"]),
        ("Drive", ["Drive", "Drive.v1_22_0"]),
        ("EthernetInterface", ["EthernetInterface", "EthernetInterface.v1_12_4"]),
        ("SessionService", ["SessionService", "SessionService.v1_2_0"]),
        ("SessionCollection", ["SessionCollection"]),
        ("Session", ["Session", "Session.v1_8_0"]),
        ("AccountService", ["AccountService", "AccountService.v1_18_1"]),
        ("ManagerAccountCollection", ["ManagerAccountCollection"]),
        ("ManagerAccount", ["ManagerAccount", "ManagerAccount.v1_14_1"]),
        ("RoleCollection", ["RoleCollection"]),
        ("Role", ["Role", "Role.v1_3_3"]),
        ("TaskService", ["TaskService", "TaskService.v1_3_0"]),
        ("TaskCollection", ["TaskCollection"]),
        ("Task", ["Task", "Task.v1_7_4"]),
        ("ActionInfo", ["ActionInfo", "ActionInfo.v1_5_0"]),
        ("Message", ["Message", "Message.v1_3_0"]),
        ("Resource", ["Resource", "Resource.v1_23_0"]),
        ("RedfishExtensions_v1", ["RedfishExtensions.v1_0_0"]),
    ]

    static let metadata: String = {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">"# + "\n"
        for (file, namespaces) in schemas {
            let uri = file.hasSuffix("_v1") ? "http://redfish.dmtf.org/schemas/v1/\(file).xml" : "http://redfish.dmtf.org/schemas/v1/\(file)_v1.xml"
            xml += "  <edmx:Reference Uri=\"\(uri)\">\n"
            for namespace in namespaces {
                xml += "    <edmx:Include Namespace=\"\(namespace)\"\(namespace == "RedfishExtensions.v1_0_0" ? " Alias=\"Redfish\"" : "")/>\n"
            }
            xml += "  </edmx:Reference>\n"
        }
        xml += "  <edmx:Reference Uri=\"\(PxelabOem.schemaPath)\">\n"
        for namespace in PxelabOem.namespaces { xml += "    <edmx:Include Namespace=\"\(namespace)\"/>\n" }
        xml += "  </edmx:Reference>\n"
        xml += "  <edmx:DataServices>\n"
        xml += #"    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="Service">"# + "\n"
        xml += #"      <EntityContainer Name="Service" Extends="ServiceRoot.v1_20_0.ServiceContainer"/>"# + "\n"
        xml += "    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n"
        return xml
    }()
}
