import Foundation
import Hummingbird
import Autopilot
import LabService
import LabStore

/// `deviceManagement/importedWindowsAutopilotDeviceIdentities`: uploads of hardware hashes,
/// one (`POST`, 201) or up to 500 at once (`POST .../import`, 200), listed, filtered, read and
/// deleted. Processing is asynchronous as in Intune: `unknown`, then `complete` with the new
/// registration under `state.deviceRegistrationId`, or `error` with Intune's code and name.
extension GraphController {
    static let imports = "deviceManagement/importedWindowsAutopilotDeviceIdentities"
    static let importFields: Set<String> = ["id", "serialNumber", "groupTag", "orderIdentifier", "productKey", "hardwareIdentifier",
                                            "assignedUserPrincipalName", "importId", "state"]

    func importedDeviceIdentities(_ request: GraphRequest) async throws -> Response? {
        let path = request.path
        let service = lab.autopilot
        switch request.method {
        case .get where path.match(Self.imports) != nil:
            let identities = try await Offload.run { try service.importedIdentities() }
            return try collection(request, context: Self.imports, type: "importedWindowsAutopilotDeviceIdentity", identities,
                                  property: Self.importProperty) { Self.write($1, into: &$0) }
        case .get:
            guard let id = path.match(Self.imports + "/{}")?.first else { return nil }
            guard let identity = try await Offload.run({ try service.importedIdentity(id: id.lowercased()) }) else { throw Self.noImport(id) }
            return GraphResponse.json(GraphJSON.object(selecting: request.query.select) { object in
                object.field("@odata.context", request.context(Self.imports + "/$entity"))
                Self.write(identity, into: &object)
            })
        case .delete:
            guard let id = path.match(Self.imports + "/{}")?.first else { return nil }
            guard try await Offload.run({ try service.deleteImportedIdentity(id: id.lowercased()) }) else { throw Self.noImport(id) }
            return GraphResponse.noContent
        case .post where path.match(Self.imports) != nil:
            let upload = try Self.upload(from: try request.parsedBody().fields, at: "")
            guard let identity = try await Offload.run({ try service.upload([upload]) }).first else {
                throw GraphError(.internalServerError, "InternalServerError", "the upload stored nothing")
            }
            return GraphResponse.json(GraphJSON.object { object in
                object.field("@odata.context", request.context(Self.imports + "/$entity"))
                // The answer to an upload carries no hash, as Intune's does not.
                Self.write(identity, hash: false, into: &object)
            }, status: .created)
        case .post where path.match(Self.imports + "/import") != nil:
            let body = try request.parsedBody()
            guard let rows = body.fields["importedWindowsAutopilotDeviceIdentities"] as? [Any] else {
                throw GraphError.badRequest("importedWindowsAutopilotDeviceIdentities: an array of identities is required.")
            }
            let uploads = try rows.enumerated().map { index, row in
                guard let fields = row as? [String: Any] else {
                    throw GraphError.badRequest("importedWindowsAutopilotDeviceIdentities[\(index)] is not an object.")
                }
                return try Self.upload(from: fields, at: "importedWindowsAutopilotDeviceIdentities[\(index)].")
            }
            let identities = try await Offload.run { try service.upload(uploads) }
            return GraphResponse.json(GraphJSON.object { root in
                root.field("@odata.context", request.context("Collection(microsoft.graph.importedWindowsAutopilotDeviceIdentity)"))
                root.objects("value", identities) { Self.write($1, hash: false, into: &$0) }
            })
        default:
            return nil
        }
    }

    static func noImport(_ id: String) -> GraphError {
        .notFound("The importedWindowsAutopilotDeviceIdentity with id '\(id)' was not found.")
    }

    /// One uploaded identity from its JSON fields; `prefix` names where it is in the body.
    static func upload(from fields: [String: Any], at prefix: String) throws -> AutopilotService.IdentityUpload {
        let body = GraphBody(fields: fields)
        if let unknown = body.unknownFields(importFields).first {
            throw GraphError.badRequest("The property '\(prefix)\(unknown)' does not exist on type 'microsoft.graph.importedWindowsAutopilotDeviceIdentity'.")
        }
        func text(_ key: String) throws -> String? {
            do { return try body.string(key) } catch { throw GraphError.badRequest("Cannot convert the literal in '\(prefix)\(key)' to the expected type 'Edm.String'.") }
        }
        return AutopilotService.IdentityUpload(
            serialNumber: try text("serialNumber") ?? "", productKey: try text("productKey") ?? "",
            hardwareIdentifier: try text("hardwareIdentifier") ?? "",
            groupTag: try text("groupTag") ?? text("orderIdentifier") ?? "",
            assignedUserPrincipalName: try text("assignedUserPrincipalName") ?? "",
            importId: try text("importId").flatMap { $0.isEmpty ? nil : $0 })
    }

    /// A property `$filter` reads; nil for one the type does not have (any value of `identity`
    /// nil answers only whether the property exists).
    static func importProperty(_ name: String, of identity: ImportedDeviceIdentity?) -> String? {
        switch name {
        case "id": identity?.id ?? ""
        case "serialnumber": identity?.serialNumber ?? ""
        case "grouptag", "orderidentifier": identity?.groupTag ?? ""
        case "productkey": identity?.productKey ?? ""
        case "importid": identity?.importId ?? ""
        case "assigneduserprincipalname": identity?.assignedUserPrincipalName ?? ""
        case "state/deviceimportstatus": identity?.status.rawValue ?? ""
        default: nil
        }
    }

    static func write(_ identity: ImportedDeviceIdentity, hash: Bool = true, into object: inout ObjectWriter) {
        object.field("id", identity.id)
        object.field("orderIdentifier", identity.groupTag)
        object.field("groupTag", identity.groupTag)
        object.field("serialNumber", identity.serialNumber)
        object.field("productKey", identity.productKey)
        object.field("importId", identity.importId)
        object.field("hardwareIdentifier", hash ? identity.hardwareIdentifier : "")
        object.field("assignedUserPrincipalName", identity.assignedUserPrincipalName)
        object.object("state") { state in
            state.field("deviceImportStatus", identity.status.rawValue)
            state.field("deviceRegistrationId", identity.registrationId)
            state.field("deviceErrorCode", identity.errorCode)
            state.field("deviceErrorName", identity.errorName)
        }
    }
}
