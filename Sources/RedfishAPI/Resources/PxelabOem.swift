import Foundation
import LabService

/// The `Oem.Pxelab` section of a ComputerSystem: the lab device's Autopilot deployment state,
/// described in CSDL the service serves (``schemaPath``, referenced from `$metadata`), so that
/// DMTF's service validator checks it like any other property.
enum PxelabOem {
    /// The key under `Oem`.
    static let name = "Pxelab"
    static let file = "PxelabComputerSystem_v1.xml"
    static let schemaPath = "/redfish/v1/Schemas/" + file
    static let namespaces = ["PxelabComputerSystem", "PxelabComputerSystem.v1_0_0"]

    static func system(_ state: DeploymentState) -> [String: Any] {
        ["@odata.type": "#PxelabComputerSystem.v1_0_0.PxelabComputerSystem",
         "Lifecycle": state.lifecycle.rawValue, "OOBEPhase": state.phase?.rawValue ?? NSNull(),
         "DeploymentMode": state.mode?.rawValue ?? NSNull(), "GroupTag": state.groupTag ?? NSNull(),
         "Profile": state.profile ?? NSNull(), "LastErrorCode": state.errorCode?.description ?? NSNull(),
         "BootCount": state.bootCount]
    }

    /// `(name, type, nullable, description)` of each property.
    private static let properties: [(String, String, Bool, String)] = [
        ("Lifecycle", "Edm.String", false,
         "Where the device is in its life: factory, provisioning, resealed, deployed, failed, wiped or retired."),
        ("OOBEPhase", "Edm.String", true, "The OOBE phase of the device's latest event (boot, network, profile, oobe-pages, identity, esp, ...)."),
        ("DeploymentMode", "Edm.String", true,
         "The Autopilot deployment mode of the profile that reaches the device: user-driven, hybrid, self-deploying or pre-provisioning."),
        ("GroupTag", "Edm.String", true, "The group tag (order identifier) of the device's Autopilot registration."),
        ("Profile", "Edm.String", true, "The display name of the Autopilot deployment profile that reaches the device."),
        ("LastErrorCode", "Edm.String", true, "The error code the device shows while its deployment has failed, as 0x800705B4."),
        ("BootCount", "Edm.Int64", false, "How many times the device has booted from the network through the lab's endpoint."),
    ]

    static let csdl: String = {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">
              <edmx:Reference Uri="http://docs.oasis-open.org/odata/odata/v4.0/errata03/csd01/complete/vocabularies/Org.OData.Core.V1.xml">
                <edmx:Include Namespace="Org.OData.Core.V1" Alias="OData"/>
              </edmx:Reference>
              <edmx:Reference Uri="http://redfish.dmtf.org/schemas/v1/RedfishExtensions_v1.xml">
                <edmx:Include Namespace="RedfishExtensions.v1_0_0" Alias="Redfish"/>
              </edmx:Reference>
              <edmx:Reference Uri="http://redfish.dmtf.org/schemas/v1/Resource_v1.xml">
                <edmx:Include Namespace="Resource"/>
                <edmx:Include Namespace="Resource.v1_0_0"/>
              </edmx:Reference>
              <edmx:DataServices>
                <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="PxelabComputerSystem">
                  <Annotation Term="Redfish.OwningEntity" String="pxelab"/>
                </Schema>
                <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="PxelabComputerSystem.v1_0_0">
                  <Annotation Term="Redfish.OwningEntity" String="pxelab"/>
                  <ComplexType Name="PxelabComputerSystem" BaseType="Resource.OemObject">
                    <Annotation Term="OData.AdditionalProperties" Bool="false"/>
                    <Annotation Term="OData.Description" String="The lab device's Autopilot deployment state."/>

            """
        for (name, type, nullable, description) in properties {
            xml += """
                        <Property Name="\(name)" Type="\(type)" Nullable="\(nullable)">
                          <Annotation Term="OData.Permissions" EnumMember="OData.Permission/Read"/>
                          <Annotation Term="OData.Description" String="\(description)"/>
                        </Property>

                """
        }
        xml += """
                  </ComplexType>
                </Schema>
              </edmx:DataServices>
            </edmx:Edmx>

            """
        return xml
    }()
}
