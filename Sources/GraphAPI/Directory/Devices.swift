import Foundation
import Hummingbird
import Autopilot
import DeviceIdentity
import LabService
import LabStore

/// `devices`: the Entra device objects Autopilot makes for registrations, with the `physicalIds`
/// dynamic rules test (`[ZTDId]`, `[OrderID]`, `[PurchaseOrderId]`); filtered by `deviceId` as
/// get-windowsautopilotinfo looks one up before adding it to a group.
extension GraphController {
    func devices(_ request: GraphRequest) async throws -> Response? {
        let path = request.path
        guard request.method == .get, path.segments.first?.lowercased() == "devices", path.segments.count <= 2 else { return nil }
        let service = lab.autopilot
        let registrations = try await Offload.run { try service.registrations() }
        if path.segments.count == 2 {
            let key = path.segments[1].lowercased()
            guard let registration = registrations.first(where: { Self.entraObjectID(of: $0.id) == key }) else {
                throw GraphError.notFound("Resource '\(path.segments[1])' does not exist or one of its queried reference-property objects are not present.")
            }
            return GraphResponse.json(GraphJSON.object(selecting: request.query.select) { object in
                object.field("@odata.context", request.context("devices/$entity"))
                Self.writeEntraDevice(registration, into: &object)
            })
        }
        return try collection(request, context: "devices", type: "device", registrations,
                              property: Self.entraDeviceProperty) { Self.writeEntraDevice($1, into: &$0) }
    }

    /// The object id of the Entra device a registration has (its `deviceId` is ``entraDeviceID(of:)``).
    static func entraObjectID(of registration: String) -> String {
        IdentifierAllocator.stableUUID("entra-object", registration).uuidString.lowercased()
    }

    static func entraDeviceProperty(_ name: String, of registration: RegisteredDevice?) -> String? {
        switch name {
        case "id": registration.map { entraObjectID(of: $0.id) } ?? ""
        case "deviceid": registration.map { entraDeviceID(of: $0.id) } ?? ""
        case "displayname": registration?.serialNumber ?? ""
        default: nil
        }
    }

    static func writeEntraDevice(_ registration: RegisteredDevice, into object: inout ObjectWriter) {
        object.field("id", entraObjectID(of: registration.id))
        object.field("deviceId", entraDeviceID(of: registration.id))
        object.field("displayName", registration.serialNumber)
        object.field("accountEnabled", true)
        object.field("operatingSystem", "Windows")
        object.field("operatingSystemVersion", "")
        object.field("trustType", "AzureAd")
        object.field("physicalIds", registration.physicalIds)
        object.field("isManaged", false)
        object.field("isCompliant", false)
    }
}
